import assert from 'node:assert/strict';
import { ErrorCode } from '@slack/web-api';
import { KeyedQueue, retryAfterMs } from '../src/slack/queue.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, setupSlack, textOf } from './support/slack-harness.js';

/** What a client made with `rejectRateLimitedCalls` throws for an HTTP 429. */
const rateLimited = (seconds: number) => Object.assign(new Error('rate limited'), { code: ErrorCode.RateLimitedError, retryAfter: seconds });

/** A clock the queue sleeps on: sleeping advances it, so waits are exact and instant. */
function virtualTime() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
  };
}

describe("Slack: the notifier's queue honours rate limits (429 + Retry-After)", () => {
  it('reads Retry-After from a rate-limited error only', () => {
    assert.equal(retryAfterMs(rateLimited(3)), 3000);
    assert.equal(retryAfterMs(rateLimited(0)), 100, 'a zero wait does not become a tight loop');
    assert.equal(retryAfterMs(new Error('channel_not_found')), null);
    assert.equal(retryAfterMs({ code: ErrorCode.PlatformError, retryAfter: 3 }), null);
  });

  it('makes a refused call again after Retry-After; the same method and channel wait, others do not; order per key holds', async () => {
    const clock = virtualTime();
    const errors: unknown[] = [];
    const queue = new KeyedQueue((err) => errors.push(err), { now: clock.now, sleep: clock.sleep });
    const done: string[] = [];
    let refusals = 2;
    // Slack refuses the first two posts to C1 with Retry-After: 2.
    const post = (channel: string, what: string) => async () => {
      if (channel === 'C1' && refusals > 0) {
        refusals--;
        throw rateLimited(2);
      }
      done.push(`${what}@${clock.now()}`);
      return Promise.resolve();
    };
    queue.push('a', (slot) => slot.call('chat.postMessage', 'C1', post('C1', 'a1')));
    queue.push('a', (slot) => slot.call('chat.postMessage', 'C1', post('C1', 'a2')));
    queue.push('b', (slot) => slot.call('chat.postMessage', 'C2', post('C2', 'b1')));
    queue.push('c', (slot) => slot.call('chat.update', 'C1', post('C1-update', 'c1')));
    await queue.idle();
    assert.deepEqual(errors, [], 'nothing was lost');
    assert.deepEqual(done, ['b1@0', 'c1@0', 'a1@4000', 'a2@4000'], 'a1 was refused twice (2 s each), a2 waited its turn; C2 and chat.update in C1 went on at once');
  });

  it('gives up after maxAttempts refusals, as an error the notifier logs', async () => {
    const clock = virtualTime();
    const errors: unknown[] = [];
    const queue = new KeyedQueue((err) => errors.push(err), { now: clock.now, sleep: clock.sleep, maxAttempts: 3 });
    let calls = 0;
    queue.push('a', (slot) =>
      slot.call('chat.postMessage', 'C1', () => {
        calls++;
        return Promise.reject(rateLimited(1));
      }),
    );
    await queue.idle();
    assert.equal(calls, 3);
    assert.equal(errors.length, 1);
    assert.deepEqual(clock.slept, [1000, 1000]);
  });

  it('does not hold a slot while waiting: with one slot, another channel is served during the wait', async () => {
    let release: () => void = () => undefined;
    let t = 0;
    const waiting = new Promise<void>((r) => (release = r)).then(() => void (t = 10_000));
    const queue = new KeyedQueue(() => undefined, { concurrency: 1, now: () => t, sleep: () => waiting });
    const done: string[] = [];
    let first = true;
    queue.push('a', (slot) =>
      slot.call('chat.postMessage', 'C1', () => {
        if (first) {
          first = false;
          return Promise.reject(rateLimited(1));
        }
        done.push('a');
        return Promise.resolve();
      }),
    );
    queue.push('b', async (slot) => {
      await slot.call('chat.postMessage', 'C2', () => Promise.resolve());
      done.push('b');
      release();
    });
    await queue.idle();
    assert.deepEqual(done, ['b', 'a']);
  });
});

describe('Slack: a burst of approval requests against a rate-limited Slack', function () {
  this.timeout(60_000);
  let ctx: SlackCtx;
  const PER_SECOND = 20;
  const BURST = 60;
  afterEach(async () => {
    await ctx?.close();
  });

  it(`${BURST} approval requests, Slack allowing ${PER_SECOND} posts a second per channel: every card and every DM delivered once, none lost, paced by the limit`, async () => {
    ctx = await setupSlack({ fake: { rateLimits: { 'chat.postMessage': PER_SECOND } } });
    const dev = { userId: 'UDEV' };
    const versions: { id: string; name: string }[] = [];
    const started = performance.now();
    for (let i = 1; i <= BURST; i++) {
      const name = `9.0.${String(i).padStart(2, '0')}`;
      const { version } = await ctx.account.createVersion(dev, { productId: 'checkout', version: name });
      await ctx.account.requestApproval(dev, { versionId: version.id, environmentId: 'production' });
      versions.push({ id: version.id, name });
    }
    await ctx.settle();
    const elapsed = performance.now() - started;

    assert.ok(ctx.fake.rateLimited().length > 0, 'Slack answered 429 (the burst was over the limit)');
    const cards = ctx.fake.channelMessages(APPROVALS);
    for (const v of versions) {
      const mine = cards.filter((m) => m.text.includes(`Checkout ${v.name} (`));
      assert.equal(mine.length, 1, `one approval message for ${v.name}`);
      assert.ok(ctx.account.view.versions[v.id]?.message, `the message of ${v.name} is linked`);
      const approvers = new Set(ctx.account.approvers(v.id, 'production').flatMap((a) => a.userIds));
      assert.ok(approvers.size >= 3);
      for (const u of approvers) {
        const asked = ctx.fake.dmsTo(u).filter((m) => textOf(m).includes(`Checkout ${v.name}* →`));
        assert.equal(asked.length, 1, `${u} was asked once about ${v.name}`);
      }
    }
    // 60 cards in one channel at 20 a second take at least 2 seconds (the first 20 go at once).
    assert.ok(elapsed >= ((BURST - PER_SECOND) / PER_SECOND) * 1000, `took ${Math.round(elapsed)} ms`);
    ctx.assertClean();
  });
});

import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { SlackCtx } from './support/slack-harness.js';
import { SECRET, setupSlack } from './support/slack-harness.js';
import { postSigned, sign } from './support/slack-requests.js';

describe('Slack: request authenticity', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  async function refused(opts: Parameters<SlackCtx['command']>[2], text = 'keys create sneaky') {
    const seq = ctx.account.seq;
    const r = await ctx.command('UADA', text, opts);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await ctx.settle();
    assert.equal(ctx.fake.responsesTo(r.responseUrl).length, 0, 'no answer');
    assert.equal(ctx.account.seq, seq, 'nothing was written');
    return r.status;
  }

  it('a forged signature is refused', async () => {
    assert.equal(await refused({ signature: sign('not-the-secret', Math.floor(Date.now() / 1000), 'x') }), 401);
    assert.equal(await refused({ signature: 'v0=deadbeef' }), 401);
  });

  it('a stale timestamp (over 5 minutes old) is refused', async () => {
    assert.equal(await refused({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }), 401);
  });

  it('a timestamp more than 5 minutes in the future is refused, although correctly signed', async () => {
    assert.equal(await refused({ timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }), 401);
    assert.ok(ctx.logger.lines.some((l) => l.msg === 'refused a Slack request dated in the future'));
  });

  it('a little clock skew into the future is accepted', async () => {
    const r = await ctx.command('UADA', 'whoami', { timestamp: Math.floor(Date.now() / 1000) + 60 });
    assert.equal(r.status, 200);
    await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the answer');
    ctx.assertClean();
  });

  it('a body changed after signing is refused', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const r = await ctx.command('UADA', 'whoami');
    const tampered = r.body.replace('whoami', 'review');
    const res = await postSigned(ctx.endpoint, SECRET, tampered, { timestamp: ts, signature: sign(SECRET, ts, r.body) });
    assert.equal(res.status, 401);
  });

  it('ack latency of a click (printed, not asserted)', async () => {
    const { version } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '9.9.9' });
    await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: version.id, environmentId: 'production' });
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[version.id]?.message, 'the approval message');
    await ctx.settle();
    const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('message');
    const stats = (samples: number[]) => {
      const s = [...samples].sort((a, b) => a - b);
      const pct = (p: number) => (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0).toFixed(1);
      return `n=${s.length}: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`;
    };

    // Server side: from the request's arrival to the response being flushed (Node's http diagnostics channels).
    const started = new WeakMap<object, number>();
    const server: number[] = [];
    const onStart = (m: unknown) => {
      const { request, response } = m as { request: { url?: string }; response: object };
      if (request.url === '/slack/events') started.set(response, performance.now());
    };
    const onFinish = (m: unknown) => {
      const t = started.get((m as { response: object }).response);
      if (t !== undefined) server.push(performance.now() - t);
    };
    diagnostics.subscribe('http.server.request.start', onStart);
    diagnostics.subscribe('http.server.response.finish', onFinish);
    const client: number[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const r = await ctx.click(i % 2 ? 'UQUINN' : 'UQUENTIN', msg, 'version_approve:qa');
        assert.equal(r.status, 200);
        client.push(r.ms);
        await ctx.settle();
      }
    } finally {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    }
    console.log(`      ack latency of a click (signed HTTP, loopback), server: request received → 200 flushed, ${stats(server)}`);
    console.log(`      the same seen by the client in the server's process (it also waits for the work after ack): ${stats(client)}`);
    ctx.assertClean();
  });
});

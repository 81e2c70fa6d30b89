import assert from 'node:assert/strict';
import type { Account } from '@gatehouse/core';
import { Gatehouse } from '@gatehouse/core';
import { matchRole } from '../src/slack/commands/resolve.js';
import { MAX_COMMAND_TEXT } from '../src/slack/listeners/commands/gatehouse.js';
import { SLACK_BODY_LIMIT } from '../src/slack/app.js';
import { tokenize } from '../src/slack/parse.js';
import { regexTokenize } from './support/tokenize-oracle.js';
import type { SlackCtx } from './support/slack-harness.js';
import { GENERAL, SECRET, TEAM, setupSlack } from './support/slack-harness.js';
import { commandBody, postSigned } from './support/slack-requests.js';

/**
 * The fastest of `runs` timings of `fn`, in ms: the least disturbed by other work on a shared
 * machine (a pause of the collector or another process only ever adds time).
 */
async function fastest(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[0] ?? 0;
}

/**
 * Linear means 4× the text costs about 4× the time; quadratic, 16×. The allowance for noise on a
 * shared machine is generous (8× plus a few ms), and still far below the square.
 */
function assertNotSquare(small: number, large: number, what: string): void {
  assert.ok(large < 8 * small + 5, `${what}: 4× the text took ${(large / Math.max(small, 0.01)).toFixed(1)}× the time (${small.toFixed(2)} ms → ${large.toFixed(2)} ms)`);
}

describe('parsers of command text are linear in their input', () => {
  let gatehouse: Gatehouse;
  let account: Account;
  before(async () => {
    gatehouse = await Gatehouse.open({ url: 'memory' });
    account = await gatehouse.createAccount('T1', { name: 'Acme', admins: [{ userId: 'UADA' }] });
    await account.createRole({ userId: 'UADA' }, { roleId: 'qa_lead', name: 'QA Lead', scope: 'global', permissions: ['version:view'] });
  });
  after(async () => {
    await gatehouse.close();
  });

  it('tokenize: 32k characters of unclosed curly quotes or words cost about 4× 8k', async () => {
    for (const unit of ['“a ', 'a ', '"a ', '<@U1|x> ']) {
      const small = unit.repeat(8_000 / unit.length);
      const large = unit.repeat(32_000 / unit.length);
      tokenize(large); // warm up
      assertNotSquare(await fastest(7, () => tokenize(small)), await fastest(7, () => tokenize(large)), `tokenize ${JSON.stringify(unit)}`);
    }
  });

  it('tokenize splits text as the regex did (quotes, mentions, channels, unclosed quotes)', () => {
    for (const text of ['', '  a  b ', '"QA Lead" x', '“QA Lead” x', '"a""b"', 'ab"cd ef"', '“a “b', '"unclosed a b', '“a ” b”', '<@U1|ada> <#C1|ops> <@U2>', 'x\u00a0y\tz\n', '"" “”', 'a"b"c “d”e']) {
      assert.deepEqual(tokenize(text), regexTokenize(text), JSON.stringify(text));
    }
  });

  it('matchRole: the longest run of words naming a role, found in time linear in the words', async () => {
    const words = (text: string) => tokenize(text);
    assert.equal(matchRole(account, words('qa lead payments'), 0)?.role.id, 'qa_lead');
    assert.equal(matchRole(account, words('qa lead payments'), 0)?.next, 2);
    assert.equal(matchRole(account, words('x "Release Manager" y'), 1)?.role.id, 'release_manager');
    assert.equal(matchRole(account, words('release-manager'), 0)?.role.id, 'release_manager');
    assert.equal(matchRole(account, words('nobody here'), 0), null);
    const small = words('a '.repeat(4_000));
    const large = words('a '.repeat(16_000));
    assertNotSquare(await fastest(7, () => matchRole(account, small, 0)), await fastest(7, () => matchRole(account, large, 0)), 'matchRole');
  });
});

describe('Slack: limits on what a request may make the server do', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  /** The time from posting the command to its answer arriving, and the answer. */
  async function timed(text: string): Promise<{ ms: number; answer: string }> {
    const t = performance.now();
    const answer = await ctx.answer('UVERA', text);
    return { ms: performance.now() - t, answer };
  }

  it("a Viewer's holders a a a … of 8k, 16k and 32k characters is answered well under 200 ms each, not growing like the square", async () => {
    await timed('holders viewer'); // warm up
    const seq = ctx.account.seq;
    const at = async (chars: number) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await timed(`holders ${'a '.repeat(chars / 2)}`);
        assert.match(r.answer, /Gatehouse reads at most 4,000/);
        runs.push(r.ms);
      }
      runs.sort((a, b) => a - b);
      return runs[1] ?? 0;
    };
    const [t8, t16, t32] = [await at(8_000), await at(16_000), await at(32_000)];
    for (const [n, t] of [[8, t8], [16, t16], [32, t32]] as const) assert.ok(t < 200, `${n}k characters took ${t.toFixed(0)} ms`);
    assert.ok(t32 < 4 * t8 + 50, `32k took ${t32.toFixed(0)} ms, 8k ${t8.toFixed(0)} ms`);
    assert.equal(ctx.account.seq, seq, 'a refused command writes nothing');
    ctx.assertClean();
  });

  it('just under the limit, the parsers run and answer well under 200 ms', async () => {
    const text = `holders ${'a '.repeat((MAX_COMMAND_TEXT - 10) / 2)}`;
    assert.ok(text.length <= MAX_COMMAND_TEXT);
    await timed(text);
    const r = await timed(text);
    assert.match(r.answer, /Role 'a' does not exist/);
    assert.ok(r.ms < 200, `${r.ms.toFixed(0)} ms`);
  });

  it('the REST API stays responsive while long commands arrive', async () => {
    const key = ctx.demo?.keys.find((k) => k.userId === 'UADA')?.secret ?? assert.fail('key');
    const burst = Array.from({ length: 10 }, () => ctx.command('UVERA', `holders ${'a '.repeat(16_000)}`));
    const t = performance.now();
    const res = await fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    const ms = performance.now() - t;
    assert.equal(res.status, 200);
    await Promise.all(burst);
    assert.ok(ms < 200, `GET /me took ${ms.toFixed(0)} ms`);
  });

  it('a 3 MB signed Slack body is refused (413) at once, before it is read or parsed', async () => {
    const seq = ctx.account.seq;
    const responseUrl = ctx.fake.responseUrl();
    const text = `keys create ${'x'.repeat(3 * 1024 * 1024)}`;
    const body = commandBody({ command: ctx.config.SLACK_COMMAND, text, teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: GENERAL, responseUrl, triggerId: ctx.fake.issueTrigger() });
    assert.ok(body.length > SLACK_BODY_LIMIT);
    const r = await postSigned(ctx.endpoint, SECRET, body);
    assert.equal(r.status, 413);
    assert.ok(r.ms < 500, `refused in ${r.ms.toFixed(0)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(ctx.fake.responsesTo(responseUrl).length, 0, 'no answer');
    assert.equal(ctx.account.seq, seq, 'nothing written');
  });

  it('a command over the limit is refused with words, and nothing is written (not even the newcomer)', async () => {
    const seq = ctx.account.seq;
    const r = await ctx.command('UNEWBIE', `keys create ${'x'.repeat(MAX_COMMAND_TEXT)}`);
    const got = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the answer');
    assert.equal(got['response_type'], 'ephemeral');
    assert.match(String(got['text']), /characters long; Gatehouse reads at most 4,000/);
    assert.equal(ctx.account.seq, seq);
  });
});

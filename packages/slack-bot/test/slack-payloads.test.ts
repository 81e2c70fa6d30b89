import assert from 'node:assert/strict';
import { SLACK_BODY_LIMIT } from '../src/slack/app.js';
import { STALE_BUTTON } from '../src/slack/middleware.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, GENERAL, SECRET, TEAM, setupSlack } from './support/slack-harness.js';
import { blockActionPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from './support/slack-requests.js';

/**
 * Payloads this version cannot read or has no listener for — a button of a message an older
 * version posted, metadata that is not ours, another command — are acknowledged at once and
 * logged as warnings: Slack gets its answer within its 3 s, and the server's error log stays for
 * the server's own failures. (Found by the fuzz suite, fuzz.test.ts.)
 */
describe('Slack: payloads the app cannot read or has no listener for', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const warned = (msg: RegExp) => ctx.logger.lines.some((l) => l.level === 'warn' && msg.test(l.msg));

  async function click(actionId: string, value: string) {
    const responseUrl = ctx.fake.responseUrl();
    const payload = blockActionPayload({ teamId: TEAM, userId: 'UQUINN', userName: 'quinn', channelId: APPROVALS, messageTs: '1700000000.000100', actionId, blockId: 'b', value, triggerId: ctx.fake.issueTrigger(), responseUrl });
    const seq = ctx.account.seq;
    const r = await postSigned(ctx.endpoint, SECRET, interactionBody(payload));
    assert.equal(r.status, 200);
    assert.ok(r.ms < 1_000, `acknowledged in ${r.ms.toFixed(0)} ms`);
    const got = await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer');
    assert.equal(ctx.account.seq, seq, 'nothing written');
    return String(got['text']);
  }

  it('a button whose approval type this version does not know (a line break in the action_id) is answered, not left to time out', async () => {
    assert.equal(await click('version_approve:\n', 'ver_1'), STALE_BUTTON);
    assert.ok(warned(/cannot read was acknowledged/));
    ctx.assertClean();
  });

  it('a button no listener handles is acknowledged at once and answered', async () => {
    assert.equal(await click('mystery_button:1', 'x'), STALE_BUTTON);
    assert.ok(warned(/no listener for was acknowledged/));
    ctx.assertClean();
  });

  for (const [what, callbackId, metadata] of [
    ['metadata that is not JSON', 'reject_version', 'not json'],
    ['metadata of another shape', 'request_access', 'true'],
    ['a form no listener handles', 'mystery_form', '{}'],
  ] as const) {
    it(`a modal submission with ${what} is acknowledged at once, nothing written, no error logged`, async () => {
      const seq = ctx.account.seq;
      const payload = viewSubmissionPayload({ teamId: TEAM, userId: 'UADA', userName: 'ada', view: { id: 'V1', hash: 'h', callback_id: callbackId, private_metadata: metadata }, values: {}, triggerId: ctx.fake.issueTrigger() });
      const r = await postSigned(ctx.endpoint, SECRET, interactionBody(payload));
      assert.equal(r.status, 200);
      assert.ok(r.ms < 1_000, `acknowledged in ${r.ms.toFixed(0)} ms`);
      assert.equal(ctx.account.seq, seq);
      ctx.assertClean();
    });
  }

  it('a slash command of another name is acknowledged at once', async () => {
    const body = commandBody({ command: '/other', text: 'whoami', teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: GENERAL, responseUrl: ctx.fake.responseUrl(), triggerId: ctx.fake.issueTrigger() });
    const r = await postSigned(ctx.endpoint, SECRET, body);
    assert.equal(r.status, 200);
    assert.ok(r.ms < 1_000, `acknowledged in ${r.ms.toFixed(0)} ms`);
    ctx.assertClean();
  });

  it('a body over the limit gets its 413 every time (not a reset connection while it is still being sent)', async () => {
    const body = commandBody({ command: ctx.config.SLACK_COMMAND, text: 'x'.repeat(SLACK_BODY_LIMIT * 2), teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: GENERAL, responseUrl: ctx.fake.responseUrl(), triggerId: ctx.fake.issueTrigger() });
    for (let i = 0; i < 5; i++) assert.equal((await postSigned(ctx.endpoint, SECRET, body)).status, 413);
  });
});

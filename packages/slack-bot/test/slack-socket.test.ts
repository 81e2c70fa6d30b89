import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { GENERAL, TEAM, setupSlack, textOf } from './support/slack-harness.js';

describe('Slack: Socket Mode', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack({ socketMode: true });
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('connects with the app token, acks an envelope and answers the command', async () => {
    assert.equal(ctx.server.slack?.mode, 'socket');
    await ctx.fake.waitFor(() => ctx.fake.socketClients === 1, 'the WebSocket connection');
    assert.equal(ctx.fake.callsTo('apps.connections.open')[0]?.token, ctx.fake.appToken, 'apps.connections.open with the app-level token');
    const responseUrl = ctx.fake.responseUrl();
    const payload = {
      token: 'legacy',
      team_id: TEAM,
      team_domain: 'acme',
      channel_id: GENERAL,
      channel_name: 'general',
      user_id: 'UQUINN',
      user_name: 'quinn',
      command: '/gatehouse',
      text: 'whoami',
      api_app_id: 'AFAKE',
      response_url: responseUrl,
      trigger_id: ctx.fake.issueTrigger(),
    };
    const started = performance.now();
    ctx.fake.sendEnvelope({ envelope_id: 'env-1', type: 'slash_commands', payload, accepts_response_payload: true });
    const ack = await ctx.fake.waitFor(() => ctx.fake.socketInbox.find((m) => m['envelope_id'] === 'env-1'), 'the ack of the envelope');
    console.log(`      Socket Mode ack after ${(performance.now() - started).toFixed(1)} ms`);
    assert.deepEqual(ack, { envelope_id: 'env-1', payload: {} }, 'acked with an empty payload (the answer follows through response_url)');
    const answer = await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer');
    assert.match(textOf(answer), /primary role: \*QA\*/);

    // A redelivered envelope (same trigger_id) is acked again but not handled twice.
    ctx.fake.sendEnvelope({ envelope_id: 'env-2', type: 'slash_commands', payload, accepts_response_payload: true, retry_attempt: 1, retry_reason: 'timeout' });
    await ctx.fake.waitFor(() => ctx.fake.socketInbox.find((m) => m['envelope_id'] === 'env-2'), 'the ack of the redelivery');
    await ctx.settle();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ctx.fake.responsesTo(responseUrl).length, 1, 'answered once');
    ctx.assertClean();
  });
});

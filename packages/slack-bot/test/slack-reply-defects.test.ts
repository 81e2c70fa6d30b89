import assert from 'node:assert/strict';
import { ApiErrorSchema } from '@gatehouse/core/contract';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { at, setupSlack } from './support/slack-harness.js';

const DAY = 86_400_000;

/** Dev (or `by`) creates a Checkout version and asks approval for the environments; resolves with its card once posted. */
async function card(ctx: SlackCtx, version: string, environments: string[], by = 'UDEV'): Promise<{ id: string; msg: PostedMessage }> {
  const { version: v } = await ctx.account.createVersion({ userId: by }, { productId: 'checkout', version });
  for (const environmentId of environments) await ctx.account.requestApproval({ userId: by }, { versionId: v.id, environmentId });
  const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[v.id]?.message, 'the card');
  await ctx.settle();
  return { id: v.id, msg: ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('not posted') };
}

describe('Slack: approval cards, assignments and DMs (issue 12)', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const rest = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ctx.server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const keyOf = (userId: string) => ctx.demo?.keys.find((k) => k.userId === userId)?.secret ?? assert.fail(`no key for ${userId}`);

  it('limits say the limit in words: Slack names the field as people know it, REST says it in the message and the issue', async () => {
    assert.equal(await ctx.answer('UADA', `assign ${at('UVERA')} qa payments for 400d`), ':memo: That did not validate:\n• Duration: at most a year');
    const { id } = await card(ctx, '8.3.0', ['production']);
    const long = await rest(keyOf('USEC'), 'POST', `/versions/${id}/decisions`, { approvalType: 'security', decision: 'reject', reason: 'x'.repeat(1001) });
    assert.equal(long.status, 400);
    assert.deepEqual(ApiErrorSchema.parse(long.json).error, { code: 'validation_failed', message: 'reason: at most 1,000 characters', details: { issues: [{ path: 'reason', message: 'at most 1,000 characters' }] } });
    const grant = await rest(keyOf('UADA'), 'POST', '/grants', { subject: { type: 'user', id: 'UVERA' }, roleId: 'qa', teamId: 'payments', durationMs: 400 * DAY });
    assert.equal(ApiErrorSchema.parse(grant.json).error.message, 'durationMs: at most a year');
    const team = await rest(keyOf('UADA'), 'POST', '/teams', { name: 'n'.repeat(81) });
    assert.equal(ApiErrorSchema.parse(team.json).error.message, 'name: at most 80 characters');
    ctx.assertClean();
  });
});

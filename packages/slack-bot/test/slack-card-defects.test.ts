import assert from 'node:assert/strict';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { actionIds, setupSlack, state, textOf } from './support/slack-harness.js';

/** Dev creates a Checkout version and asks approval for the environments; resolves with its card once posted. */
async function card(ctx: SlackCtx, version: string, environments: string[]): Promise<{ id: string; msg: PostedMessage }> {
  const { version: v } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version });
  for (const environmentId of environments) await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: v.id, environmentId });
  const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[v.id]?.message, 'the card');
  await ctx.settle();
  return { id: v.id, msg: ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('not posted') };
}

async function reject(ctx: SlackCtx, userId: string, msg: PostedMessage, type: string, reason: string): Promise<void> {
  await ctx.click(userId, msg, `version_reject:${type}`);
  const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
  await ctx.submit(userId, view.id, { reason: state.text(reason) });
  await ctx.settle();
}

describe('Slack: approval cards and replies (defects)', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('Approve / Reject show only on requirements still missing', async () => {
    const { msg } = await card(ctx, '8.0.0', ['production']);
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.settle();
    assert.match(textOf(msg), /QA\* · 1 of 1 — approved by <@UQUINN>/);
    assert.deepEqual(actionIds(msg).sort(), ['version_approve:operational', 'version_approve:security', 'version_reject:operational', 'version_reject:security']);
    ctx.assertClean();
  });
});

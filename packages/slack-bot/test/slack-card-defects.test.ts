import assert from 'node:assert/strict';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { actionIds, at, setupSlack, state, textOf } from './support/slack-harness.js';

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

  it('a rejected card says which environment is rejected and by whom (a name), and no "ready to deploy" under its Rejected header', async () => {
    const { id, msg } = await card(ctx, '8.1.0', ['staging', 'production']);
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.settle();
    assert.match(textOf(msg), /staging\*: ready to deploy/, 'while it is pending, staging is ready');
    await reject(ctx, 'USEC', msg, 'security', 'CVE-2026-9');
    const text = textOf(msg);
    assert.match(text, /^Rejected: Checkout 8\.1\.0/);
    assert.ok(!text.includes('ready to deploy'), text);
    assert.match(text, /:x: \*production\* \(production\): rejected — Security: rejected by <@USEC>; Operational: 1 more approval/);
    assert.ok(!/rejected by USEC/.test(text), 'no raw user id');

    // The command replies name the rejecter too.
    const again = await ctx.answer('UDEV', `request-approval ${id} production`);
    assert.match(again, /missing: security: rejected by <@USEC>; operational: 1 more approval/);
    assert.match(await ctx.answer('UDEV', `deploy ${id} production`), /Still missing:\n• security: rejected by <@USEC>\n/);
    ctx.assertClean();
  });

  it('revoking a role someone does not hold names them, the role and the team', async () => {
    const answer = await ctx.answer('UADA', `revoke ${at('UVERA')} qa payments`);
    assert.match(answer, /^:mag: <@UVERA> does not hold \*QA\* in team \*Payments\*\. `\/gatehouse holders qa` lists who does\.$/);
    assert.match(await ctx.answer('UADA', `revoke ${at('UVERA')} sre`), /<@UVERA> does not hold \*SRE\* globally\./);
    ctx.assertClean();
  });
});

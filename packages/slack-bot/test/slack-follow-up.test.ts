import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, actionIds, setupSlack, textOf } from './support/slack-harness.js';

const H = 3_600_000;

/** A version of Checkout asked for production over REST by Dev (CI), under a rule with a follow-up. */
async function requested(ctx: SlackCtx, version: string): Promise<string> {
  const rule = Object.values(ctx.account.view.rules).find((r) => r.environmentId === 'production' && r.productId === null) ?? assert.fail('the demo has no production rule');
  await ctx.account.updateRule({ userId: 'UADA' }, { ruleId: rule.id, policy: { remindAfterMs: H, remindEveryMs: 4 * H, escalateAfterMs: 6 * H, escalateTo: { type: 'channel', id: 'CLEADS' }, timeoutAfterMs: 24 * H, timeoutOutcome: 'expire' } });
  const key = ctx.demo?.keys.find((k) => k.userId === 'UDEV')?.secret ?? assert.fail('no key for UDEV');
  const call = async (path: string, body: unknown) => (await fetch(`${ctx.server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ version?: { id: string } }>;
  const id = (await call('/versions', { productId: 'checkout', version })).version?.id ?? assert.fail('no version');
  await call(`/versions/${id}/approval-requests`, { environmentId: 'production' });
  await ctx.settle();
  return id;
}

describe('Slack: approvals that get decided (follow-up)', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack({ env: { GATEHOUSE_DEFAULT_CHANNEL: APPROVALS } });
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('asks the approvers directly, one DM each with the buttons they can use; the creator is not asked; a click there decides', async () => {
    const id = await requested(ctx, '7.0.0');
    const quinn = ctx.fake.dmsTo('UQUINN').find((m) => textOf(m).includes('Checkout 7.0.0'));
    assert.ok(quinn, 'Quinn (QA) was not asked');
    assert.match(textOf(quinn), /needs your \*QA\* approval — asked by <@UDEV>/);
    assert.deepEqual(actionIds(quinn), ['version_approve:qa', 'version_reject:qa']);
    assert.equal(ctx.fake.dmsTo('UDEV').filter((m) => textOf(m).includes('needs your')).length, 0, 'the creator was asked to approve their own version');
    const r = await ctx.click('UQUINN', quinn, 'version_approve:qa');
    assert.equal(r.status, 200);
    await ctx.settle();
    assert.deepEqual(ctx.account.evaluate({ versionId: id, environmentId: 'production' }).requirements.find((x) => x.type === 'qa')?.approvedBy, ['UQUINN']);
  });

  it('reminder → escalation → timeout as the Slack fake sees them, each once, and the card says it expired', async () => {
    const id = await requested(ctx, '7.1.0');
    // The demo's own pending versions are followed up too: count what is about this one.
    const mine = (m: { text?: unknown; blocks?: unknown }) => textOf(m).includes('Checkout 7.1.0');
    const seen = () => ({
      quinn: ctx.fake.dmsTo('UQUINN').filter((m) => mine(m) && /Reminder/.test(textOf(m))).length,
      leads: ctx.fake.channelMessages('CLEADS').filter(mine).length,
      dev: ctx.fake.dmsTo('UDEV').filter((m) => mine(m) && /expired before it was decided/.test(textOf(m))).length,
    });
    ctx.clock.advance(H);
    await ctx.gatehouse.runFollowUps();
    await ctx.gatehouse.runFollowUps();
    await ctx.settle();
    assert.deepEqual(seen(), { quinn: 1, leads: 0, dev: 0 });
    assert.match(textOf(ctx.fake.dmsTo('UQUINN').filter(mine).at(-1) ?? { blocks: [] }), /:bell: Reminder: \*Checkout 7\.1\.0\* → \*production\* has waited 1h for QA: 1 more approval/);
    ctx.clock.advance(5 * H);
    await ctx.gatehouse.runFollowUps();
    await ctx.settle();
    assert.deepEqual(seen(), { quinn: 2, leads: 1, dev: 0 });
    assert.match(textOf(ctx.fake.channelMessages('CLEADS').filter(mine)[0] ?? { blocks: [] }), /Escalated to this channel: \*Checkout 7\.1\.0\* → \*production\* has waited 6h/);
    ctx.clock.advance(18 * H);
    await ctx.gatehouse.runFollowUps();
    await ctx.settle();
    assert.deepEqual(seen(), { quinn: 2, leads: 1, dev: 1 });
    const ref = ctx.account.view.versions[id]?.message ?? assert.fail('no card');
    assert.match(textOf(ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? { blocks: [] }), /expired: not decided in time/);
    const audit = (await ctx.account.auditEvents()).filter((e) => e.type.startsWith('approval.') && 'versionId' in e.data && e.data.versionId === id).map((e) => e.type);
    assert.deepEqual(audit, ['approval.reminded', 'approval.escalated', 'approval.reminded', 'approval.timed_out']);
  });
});

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
    assert.match(text, /:x: \*production\*: rejected \(Security\)\n/);
    assert.equal(text.split('rejected by <@USEC>').length - 1, 1, `the rejection is said once, on its row: ${text}`);
    assert.ok(!/rejected by USEC/.test(text), 'no raw user id');

    // The command replies name the rejecter too.
    const again = await ctx.answer('UDEV', `request-approval ${id} production`);
    assert.match(again, /missing: security: rejected by <@USEC>; operational: 1 more approval/);
    assert.match(await ctx.answer('UDEV', `deploy ${id} production`), /Still missing:\n• security: rejected by <@USEC>\n/);
    ctx.assertClean();
  });

  it('a deployment shows on the card: the environment deployed by whom, and Deployed once it went everywhere it was approved for', async () => {
    const { id, msg } = await card(ctx, '8.9.0', ['staging']);
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.settle();
    assert.match(textOf(msg), /^Approved: Checkout 8\.9\.0/);
    await ctx.answer('UDEV', `deploy ${id} staging`);
    await ctx.settle();
    const text = textOf(msg);
    assert.match(text, /^Deployed: Checkout 8\.9\.0/);
    assert.match(text, /:rocket: \*staging\*: deployed by <@UDEV> <!date\^\d+\^/);
    assert.equal(text.split('staging').length - 1, 2, `staging named in the Environment field and its line only: ${text}`);
    assert.ok(!text.includes('ready to deploy'), text);
    ctx.assertClean();
  });

  it('revoking a role someone does not hold names them, the role and the team', async () => {
    const answer = await ctx.answer('UADA', `revoke ${at('UVERA')} qa payments`);
    assert.match(answer, /^:mag: <@UVERA> does not hold \*QA\* in team \*Payments\*\. `\/gatehouse holders qa` lists who does\.$/);
    assert.match(await ctx.answer('UADA', `revoke ${at('UVERA')} sre`), /<@UVERA> does not hold \*SRE\* globally\./);
    ctx.assertClean();
  });

  it('user text is escaped for mrkdwn everywhere: names in replies, modals and refusals; a reason of several lines keeps its italics and its list', async () => {
    const ada = { userId: 'UADA' };
    await ctx.account.createTeam(ada, { teamId: 'ops', name: 'Ops <!here> & co' });
    const assigned = await ctx.answer('UADA', `assign ${at('UVERA')} developer ops`);
    assert.match(assigned, /Developer \(Ops &lt;!here&gt; &amp; co\)/);
    assert.ok(!assigned.includes('<!here>'), assigned);

    await ctx.account.createRole(ada, { roleId: 'qa-lead', name: 'QA <lead>', permissions: ['version:approve:qa'] });
    await ctx.account.createProduct(ada, { productId: 'shop', name: 'Shop <!channel>', teamId: 'payments' });
    const { version } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'shop', version: '1.0.0' });
    await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: version.id, environmentId: 'production' });
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[version.id]?.message, 'the card');
    await ctx.settle();
    const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('no card');

    const refused = await ctx.click('UVERA', msg, 'version_approve:qa');
    const refusal = textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(refused.responseUrl)[0], 'the refusal'));
    assert.match(refusal, /Roles that grant it: Admin, QA, QA &lt;lead&gt;\./);

    await ctx.click('USEC', msg, 'version_reject:security');
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    assert.match(textOf({ blocks: view.view['blocks'] }), /for \*Shop &lt;!channel&gt; 1\.0\.0\*/);
    await ctx.submit('USEC', view.id, { reason: state.text('first line\n<script> second') });
    await ctx.settle();
    assert.deepEqual(ctx.fake.threadReplies(msg.channel, msg.ts).map((m) => m.text), [':x: <@USEC> rejected *Security*: _first line_ _&lt;script&gt; second_']);
    assert.match(textOf(msg), /rejected by <@USEC>: _first line_ _&lt;script&gt; second_/);

    const r = await ctx.account.requestAccess({ userId: 'UVAL' }, { roleId: 'qa', teamId: null, durationMs: 3_600_000, reason: 'cover for Quinn\n<!channel> please' });
    await ctx.settle();
    const asked = await ctx.fake.waitFor(() => [...ctx.fake.messages.values()].find((m) => textOf(m).includes('cover for Quinn')), 'the access request message');
    assert.match(textOf(asked), /\n>cover for Quinn\n>&lt;!channel&gt; please/);
    assert.ok(r);
    ctx.assertClean();
  });
});

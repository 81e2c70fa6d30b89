import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, at, ruleValues, setupSlack, slowStore, state, textOf } from './support/slack-harness.js';

const DAY = 86_400_000;
const ada = { userId: 'UADA' };

/** The field errors of a view_submission answer (fails unless it keeps the modal open with errors). */
function errorsOf(r: { text: string }): Record<string, string> {
  const body = JSON.parse(r.text || '{}') as { response_action?: string; errors?: Record<string, string> };
  assert.equal(body.response_action, 'errors', `the modal stays open with errors (answer: ${r.text || 'empty: the modal closed'})`);
  const errors = body.errors ?? {};
  // Field errors are plain text: names, no mention or mrkdwn syntax, no emoji codes.
  for (const [block, text] of Object.entries(errors)) assert.doesNotMatch(text, /<@|<!|`|\*|:[a-z_]+:|&lt;|&gt;/, `${block}: ${text}`);
  return errors;
}

const assign = (userId: string, roleId: string, team: string, expiryMs: number) => ({
  user: state.user(userId),
  role: state.select(roleId),
  team: state.select(team),
  expiry: state.select(String(expiryMs)),
});

describe('Slack: a refusal of the core stays in the modal, on the input it is about', () => {
  let ctx: SlackCtx;
  afterEach(async () => {
    await ctx.close();
  });

  it('assign: self change, inactive user, escalation, missing permission and role scope; a repeat that changes nothing and a valid one close the modal', async () => {
    ctx = await setupSlack();
    await ctx.account.createRole(ada, { roleId: 'qa-lead', name: 'QA lead', scope: 'team', permissions: ['version:approve:qa'] });
    await ctx.answer('UADA', `user deactivate ${at('UDORA')}`);
    const { cmd, view } = await ctx.openModal('UADA', 'assign');

    assert.deepEqual(Object.keys(errorsOf(await ctx.submit('UADA', view.id, assign('UADA', 'qa', '*', 0)))), ['user']);
    assert.match(errorsOf(await ctx.submit('UADA', view.id, assign('UADA', 'qa', '*', 0)))['user'] ?? '', /nobody changes their own roles/i);
    assert.deepEqual(errorsOf(await ctx.submit('UADA', view.id, assign('UDORA', 'qa', 'payments', 0))), { user: 'Dora (Developer, Payments) is deactivated: reactivate them first.' });
    assert.deepEqual(errorsOf(await ctx.submit('UADA', view.id, assign('UDUC', 'qa-lead', '*', 0))), {
      team: "'QA lead' is a team role: name the team to grant it in (\"/gatehouse role qa-lead\" shows the role).",
    });

    // A team Admin of Payments cannot make an Admin (rule 3): on the role.
    await ctx.account.assignRole(ada, { subject: { type: 'user', id: 'USTEVE' }, roleId: 'admin', teamId: 'payments' });
    const steve = await ctx.openModal('USTEVE', 'assign');
    const escalation = errorsOf(await ctx.submit('USTEVE', steve.view.id, assign('UDUC', 'admin', 'payments', 0)));
    assert.deepEqual(Object.keys(escalation), ['role']);
    assert.match(escalation['role'] ?? '', /^Only an Admin makes an Admin: ask one \("\/gatehouse holders admin" lists them\)\.$/);
    // Where Steve holds no user_role:manage: on the team.
    assert.match(errorsOf(await ctx.submit('USTEVE', steve.view.id, assign('UDUC', 'qa', 'search', 0)))['team'] ?? '', /^You need "user_role:manage" in team Search, which none of your roles grants\./);

    // A time-bound assign never shortens a grant (issue 12): Grace giving Ada, a permanent Admin,
    // Admin for a day changes nothing — the modal closes and says so; Ada stays a permanent Admin.
    await ctx.account.assignRole(ada, { subject: { type: 'user', id: 'UGRACE' }, roleId: 'admin', teamId: null, durationMs: 30 * DAY });
    const grace = await ctx.openModal('UGRACE', 'assign');
    assert.equal((await ctx.submit('UGRACE', grace.view.id, assign('UADA', 'admin', '*', DAY))).text, '', 'the modal closes');
    const unchanged = await ctx.fake.waitFor(() => ctx.fake.responsesTo(grace.cmd.responseUrl)[0], 'the answer to Grace');
    assert.match(textOf(unchanged), /^<@UADA> already holds \*Admin\* .*; nothing changed\. To end it sooner, revoke it and assign it again\.$/);
    assert.equal(ctx.account.view.grants[Object.keys(ctx.account.view.grants).find((id) => ctx.account.view.grants[id]?.subject.id === 'UADA') ?? '']?.expiresAt, null, 'nothing changed');

    // Corrected, the form goes through: the modal closes and the answer comes where the command ran.
    const ok = await ctx.submit('UADA', view.id, assign('UDUC', 'security', 'payments', DAY));
    assert.equal(ok.text, '', 'the modal closes');
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the answer');
    assert.match(textOf(reply), /<@UDUC> now holds \*Security\* in \*Payments\* until/);
    await ctx.settle();
    assert.equal(ctx.fake.responsesTo(cmd.responseUrl).length, 1, 'the refusals were not also posted to the channel');
    for (const c of [steve.cmd]) assert.deepEqual(ctx.fake.responsesTo(c.responseUrl), []);
    assert.deepEqual(ctx.fake.ephemerals, []);
    ctx.assertClean();
  });

  it('request access: a duration over the account\'s limit on the duration, a team role asked globally on the team', async () => {
    ctx = await setupSlack();
    await ctx.account.updateSettings(ada, { maxAccessDurationMs: 7 * DAY });
    await ctx.account.createRole(ada, { roleId: 'qa-lead', name: 'QA lead', scope: 'team', permissions: ['version:approve:qa'] });
    const { cmd, view } = await ctx.openModal('UVIC', 'request');
    const values = (role: string, team: string, ms: number) => ({ role: state.select(role), team: state.select(team), duration: state.select(String(ms)), reason: state.text('release week') });
    assert.deepEqual(errorsOf(await ctx.submit('UVIC', view.id, values('qa', 'payments', 30 * DAY))), { duration: 'The longest access you can request is 7 days.' });
    assert.deepEqual(Object.keys(errorsOf(await ctx.submit('UVIC', view.id, values('qa-lead', '*', DAY)))), ['team']);
    assert.equal(ctx.account.pendingAccessRequests().length, 0);
    assert.equal((await ctx.submit('UVIC', view.id, values('qa-lead', 'payments', DAY))).text, '');
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the answer')), /Requested \*QA lead\* in \*Payments\*/);
    await ctx.settle();
    assert.equal(ctx.fake.responsesTo(cmd.responseUrl).length, 1);
    ctx.assertClean();
  });

  it('role editor: a permission the author does not hold on its checkbox group, a name taken on the name', async () => {
    ctx = await setupSlack();
    await ctx.account.createRole(ada, { roleId: 'role-keeper', name: 'Role keeper', scope: 'global', permissions: ['role:manage'] });
    await ctx.account.assignRole(ada, { subject: { type: 'user', id: 'UVIC' }, roleId: 'role-keeper', teamId: null });
    const { cmd, view } = await ctx.openModal('UVIC', 'role create');
    const blocks = view.view['blocks'] as { block_id?: string; element?: { options?: { value: string }[] } }[];
    const groupOf = (p: string) => blocks.find((b) => b.element?.options?.some((o) => o.value === p))?.block_id ?? assert.fail(`no checkbox for ${p}`);
    const refused = errorsOf(await ctx.submit('UVIC', view.id, { name: state.text('Gatekeeper'), description: state.text(''), scope: state.radio('global'), [groupOf('gate:override')]: state.checks(['gate:override']) }));
    assert.deepEqual(Object.keys(refused), [groupOf('gate:override')]);
    assert.match(refused[groupOf('gate:override')] ?? '', /permissions you do not hold yourself: .*gate:override/);
    assert.deepEqual(errorsOf(await ctx.submit('UVIC', view.id, { name: state.text('qa'), description: state.text(''), scope: state.radio('global'), [groupOf('role:manage')]: state.checks(['role:manage']) })), {
      name: "A role named 'QA' already exists. Pick another name or id.",
    });
    assert.equal((await ctx.submit('UVIC', view.id, { name: state.text('Role deputy'), description: state.text(''), scope: state.radio('global'), [groupOf('role:manage')]: state.checks(['role:manage']) })).text, '');
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the answer')), /Created the custom role \*Role deputy\*/);
    ctx.assertClean();
  });

  it('rule editor: a permission lost while the form was open shows on the first input', async () => {
    ctx = await setupSlack();
    const { cmd, view } = await ctx.openModal('UADA', 'rule set production');
    await ctx.answer('UGRACE', `revoke ${at('UADA')} admin`);
    const errors = errorsOf(await ctx.submit('UADA', view.id, ruleValues({ qa: 2 }, ['sod'])));
    assert.deepEqual(Object.keys(errors), ['quorum:qa']);
    assert.match(errors['quorum:qa'] ?? '', /^You need "deployment_rule:manage" globally/);
    await ctx.settle();
    assert.deepEqual(ctx.fake.responsesTo(cmd.responseUrl), []);
    ctx.assertClean();
  });

  it('reason modals: separation of duties on a rejection, a request decided meanwhile on a denial', async () => {
    ctx = await setupSlack();
    const { version } = await ctx.account.createVersion(ada, { productId: 'checkout', version: '9.9.9' });
    await ctx.account.requestApproval(ada, { versionId: version.id, environmentId: 'production' });
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[version.id]?.message, 'the card');
    await ctx.settle();
    const card = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('the card');
    await ctx.click('UADA', card, 'version_reject:qa');
    const reject = await ctx.fake.waitFor(() => ctx.lastView()?.view['callback_id'] === 'reject_version' && ctx.lastView(), 'the reject modal');
    assert.deepEqual(errorsOf(await ctx.submit('UADA', reject.id, { reason: state.text('flaky tests') })), {
      reason: 'You created this version, so your approval cannot count (separation of duties). Another approver has to give it.',
    });
    assert.deepEqual(ctx.account.view.versions[version.id]?.decisions, []);

    await ctx.answer('UVERA', 'request qa for 2d because covering for Quinn');
    const msg = await ctx.fake.waitFor(() => ctx.fake.channelMessages(APPROVALS).find((m) => textOf(m).includes('Access request')), 'the request message');
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('a pending request');
    await ctx.click('UGRACE', msg, `access_deny:${request.id}`);
    const deny = await ctx.fake.waitFor(() => ctx.lastView()?.view['callback_id'] === 'deny_access' && ctx.lastView(), 'the deny modal');
    await ctx.click('UADA', msg, `access_approve:${request.id}`);
    await ctx.settle();
    const errors = errorsOf(await ctx.submit('UGRACE', deny.id, { reason: state.text('Quinn is back') }));
    assert.deepEqual(Object.keys(errors), ['reason']);
    assert.match(errors['reason'] ?? '', /^This request was already approved by Ada \(Admin, VP Engineering\): nothing changed\.$/);
    assert.equal(ctx.account.view.requests[request.id]?.status, 'approved');
    ctx.assertClean();
  });

  it('work that outlasts what Slack waits for closes the modal in time; its refusal follows as a message', async () => {
    ctx = await setupSlack({ fake: { delays: { 'users.info': 2_300 } } });
    ctx.fake.directory.set('UGONE', { name: 'Gone', deleted: true });
    const { cmd, view } = await ctx.openModal('UADA', 'assign');
    const r = await ctx.submit('UADA', view.id, assign('UGONE', 'qa', '*', 0));
    assert.equal(r.status, 200);
    assert.equal(r.text, '', 'the modal closes');
    assert.ok(r.ms < 3_000, `answered in ${r.ms.toFixed(0)} ms, within Slack's 3 s`);
    const refusal = await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the refusal', 5_000);
    assert.match(textOf(refusal), /<@UGONE> is deactivated in Slack/);
    ctx.assertClean();
  });

  it('setup: a step whose save outlasts the budget shows Saving… in time, then the next step, or the refusal on top with the inputs kept', async () => {
    const store = await slowStore();
    ctx = await setupSlack({ store });
    const { view } = await ctx.openModal('UADA', 'setup');
    const shows = (text: string) => ctx.fake.waitFor(() => textOf({ blocks: ctx.fake.views.get(view.id)?.view['blocks'] }).includes(text) && ctx.fake.views.get(view.id), `the view to show "${text}"`, 5_000);
    store.delayMs = 2_300;
    const saving = await ctx.submit('UADA', view.id, { channel: state.channel('CSHIP') });
    assert.ok(saving.ms < 3_000, `answered in ${saving.ms.toFixed(0)} ms`);
    assert.equal((JSON.parse(saving.text) as { response_action: string }).response_action, 'update');
    await shows('Saving…');
    await shows('Step 2 of 5');
    assert.equal(ctx.account.view.settings.defaultChannel, 'CSHIP');

    store.delayMs = 0;
    await ctx.answer('UGRACE', `revoke ${at('UADA')} admin`);
    store.delayMs = 2_300;
    // Another change is being written: the step, refused without a write of its own, waits its turn.
    const busy = ctx.account.createTeam({ userId: 'UGRACE' }, { teamId: 'ops', name: 'Ops' });
    const late = await ctx.submit('UADA', view.id, { name: state.text('Mobile'), id: state.text('mobile') });
    assert.ok(late.ms < 3_000, `answered in ${late.ms.toFixed(0)} ms`);
    await busy;
    const refused = await shows('You need `team:manage` globally');
    assert.match(textOf({ blocks: refused.view['blocks'] }), /Step 2 of 5/);
    const name = (refused.view['blocks'] as { block_id?: string; element?: { initial_value?: string } }[]).find((b) => b.block_id === 'name');
    assert.equal(name?.element?.initial_value, 'Mobile', 'what was typed is kept');
    store.delayMs = 0;
    ctx.assertClean();
  });
});

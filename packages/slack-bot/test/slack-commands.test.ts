import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { setupSlack, state, textOf } from './support/slack-harness.js';

/** Mention as Slack escapes it in command text. */
const at = (id: string) => `<@${id}|${id.slice(1).toLowerCase()}>`;

describe('Slack: the slash command', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const lastDm = (userId: string) => textOf(ctx.fake.dmsTo(userId).at(-1) ?? { blocks: [] });

  it('help, an empty command, an unknown one and malformed ones get usage', async () => {
    const help = await ctx.answer('UVERA', 'help');
    for (const sub of ['whoami', 'roles', 'assign @user <role> [team] [for <duration>]', 'revoke', 'holders', 'role create', 'group create', 'keys create', 'audit', 'review', 'verify', 'request <role>', 'request-approval', 'deploy']) assert.ok(help.includes(sub), `help mentions ${sub}`);
    assert.equal(await ctx.answer('UVERA', ''), help, 'an empty command shows help');
    assert.match(await ctx.answer('UVERA', 'constructor'), /`constructor` is not a Gatehouse command/);
    assert.match(await ctx.answer('UVERA', 'frobnicate now'), /`frobnicate` is not a Gatehouse command\.\nUsage: `\/gatehouse help`/);
    assert.match(await ctx.answer('UADA', 'assign qa payments'), /Mention the user first\.\nUsage: `\/gatehouse assign @user <role> \[team\] \[for <duration>\]`/);
    assert.match(await ctx.answer('UADA', `assign ${at('UDORA')} qa payments for soon`), /Durations look like `30m`, `8h`, `2d` or `1w`\.\nUsage: `\/gatehouse assign/);
    assert.match(await ctx.answer('UADA', `assign ${at('UDORA')} qa payments and more`), /could not read `payments and more` as a team/);
    assert.match(await ctx.answer('UADA', 'revoke'), /Usage: `\/gatehouse revoke @user <role> \[team\]`/);
    assert.match(await ctx.answer('UADA', 'holders'), /Usage: `\/gatehouse holders <role>`/);
    assert.match(await ctx.answer('UADA', 'request qa payments because reasons'), /Say for how long/);
    assert.match(await ctx.answer('UADA', 'audit me please'), /Mention one user/);
    assert.match(await ctx.answer('UADA', 'keys frob'), /`frob` is not a keys action/);
    assert.match(await ctx.answer('UADA', 'role rename qa'), /Say the new name after `to`/);
    assert.match(await ctx.answer('UADA', 'request-approval'), /Usage: `\/gatehouse request-approval/);
    ctx.assertClean();
  });

  it('whoami: roles and effective permissions per team', async () => {
    const dev = await ctx.answer('UDEV', 'whoami');
    assert.match(dev, /primary role: \*Developer\*/);
    assert.match(dev, /\*Payments\* — roles: Developer\n(.*\n)*\s+`version`: view, create/);
    const viewer = await ctx.answer('UVERA', 'whoami');
    assert.match(viewer, /\*General\* — roles: Viewer/);
    assert.doesNotMatch(viewer, /create/);
    ctx.assertClean();
  });

  it('roles and role <name>: list and permissions; an unknown role says where to look', async () => {
    const roles = await ctx.answer('UVERA', 'roles');
    for (const r of ['Admin', 'Release Manager', 'Product', 'Developer', 'SRE', 'QA', 'Security', 'Compliance', 'Billing', 'Viewer']) assert.ok(roles.includes(`*${r}*`), r);
    const rm = await ctx.answer('UVERA', 'role release manager');
    assert.match(rm, /\*Release Manager\* `release_manager` — static/);
    assert.match(rm, /`gate`: override/);
    assert.match(await ctx.answer('UVERA', 'role RELEASE_MANAGER'), /Release Manager/);
    assert.match(await ctx.answer('UVERA', 'role wizard'), /Role 'wizard' does not exist\. \(`roles` lists them\)/);
    ctx.assertClean();
  });

  it('assign / revoke by command: DMs with old and new roles; refusals say why and what works', async () => {
    const ok = await ctx.answer('UADA', `assign ${at('UDORA')} qa payments for 2d`);
    assert.match(ok, /<@UDORA> now holds \*QA\* in \*Payments\* until <!date\^\d+/);
    assert.ok(ctx.account.can('UDORA', 'version:approve:qa', 'payments'));
    await ctx.settle();
    assert.match(lastDm('UDORA'), /Your Gatehouse roles changed \(by <@UADA>\)\.\n\*Added:\* QA \(Payments, until <!date[^>]*>\)\n\*Before:\* Viewer \(General\), Developer \(Payments\)\n\*Now:\* Viewer \(General\), Developer \(Payments\), QA \(Payments, until/);
    assert.match(await ctx.answer('UADA', `assign ${at('UDORA')} qa payments for 2d`), /<@UDORA> already holds \*QA\* in \*Payments\* until .*; nothing changed\.$/, 'the same grant again changes nothing');
    assert.match(await ctx.answer('UADA', `assign ${at('UDORA')} qa payments for 3d`), /^:white_check_mark: Extended: <@UDORA> holds \*QA\* in \*Payments\* until <!date[^>]*> \(it was until <!date[^>]*>\)\./, 'a later expiry extends the grant');

    const dev = await ctx.answer('UDEV', `assign ${at('UDORA')} security`);
    assert.match(dev, /You need `user_role:manage` globally, which none of your roles grants\. Roles that grant it: Admin\. Ask an administrator\./);
    assert.match(await ctx.answer('UADA', `assign ${at('UADA')} qa`), /Nobody changes their own roles: ask another administrator/);
    // A team Admin cannot make an Admin (rule 3).
    await ctx.answer('UADA', `assign ${at('USTEVE')} admin payments`);
    assert.match(await ctx.answer('USTEVE', `assign ${at('UDORA')} admin payments`), /Only an Admin makes an Admin/);
    assert.match(await ctx.answer('UADA', `assign ${at('UDORA')} qa atlantis`), /Team 'atlantis' does not exist/);

    const revoked = await ctx.answer('UADA', `revoke ${at('UDORA')} qa payments`);
    assert.match(revoked, /Revoked \*QA\* in \*Payments\* from <@UDORA>\.\nTheir roles: Viewer \(General\), Developer \(Payments\)/);
    await ctx.settle();
    assert.match(lastDm('UDORA'), /\*Now:\* Viewer \(General\), Developer \(Payments\)$/);
    assert.match(await ctx.answer('UADA', `revoke ${at('UDORA')} qa payments`), /<@UDORA> does not hold \*QA\* in team \*Payments\*/);
    assert.match(await ctx.answer('UGRACE', `revoke ${at('UGRACE')} admin`), /Nobody changes their own roles/);

    // Someone Gatehouse has not met yet is looked up in Slack (users.info) and created.
    ctx.fake.directory.set('UNEWBIE', { name: 'Nina Newbie' });
    assert.match(await ctx.answer('UADA', 'assign <@UNEWBIE|nina> developer search'), /<@UNEWBIE> now holds \*Developer\* in \*Search\*/);
    assert.equal(ctx.account.view.users['UNEWBIE']?.name, 'Nina Newbie');
    assert.equal(ctx.fake.callsTo('users.info').length, 1);
    ctx.fake.directory.set('UGONE', { name: 'Gone', deleted: true });
    assert.match(await ctx.answer('UADA', 'assign <@UGONE> qa'), /deactivated in Slack/);
    ctx.assertClean();
  });

  it('the assign modal: user, role, team and expiry pickers', async () => {
    const r = await ctx.command('UADA', 'assign');
    assert.equal(r.status, 200);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the assign modal');
    assert.equal(view.view['callback_id'], 'assign_role');
    assert.deepEqual((view.view['blocks'] as { block_id?: string }[]).map((b) => b.block_id).filter(Boolean), ['user', 'role', 'team', 'expiry']);
    const missing = await ctx.submit('UADA', view.id, { user: state.user('UDUC'), role: { v: { type: 'static_select', selected_option: null } }, team: state.select('*'), expiry: state.select('0') });
    assert.deepEqual(JSON.parse(missing.text), { response_action: 'errors', errors: { role: 'Pick a role' } });
    const ok = await ctx.submit('UADA', view.id, { user: state.user('UDUC'), role: state.select('security'), team: state.select('payments'), expiry: state.select(String(86_400_000)) });
    assert.equal(ok.status, 200);
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the result via the command response_url');
    assert.match(textOf(reply), /<@UDUC> now holds \*Security\* in \*Payments\* until/);
    await ctx.settle();
    assert.match(lastDm('UDUC'), /Security \(Payments, until/);

    // The same form submitted by someone who may not assign: refused with the reason, in the form.
    await ctx.command('UDEV', 'assign');
    const devView = await ctx.fake.waitFor(() => (ctx.lastView()?.id !== view.id ? ctx.lastView() : null), 'a second modal');
    const refused = await ctx.submit('UDEV', devView.id, { user: state.user('UDUC'), role: state.select('qa'), team: state.select('*'), expiry: state.select('0') });
    assert.match((JSON.parse(refused.text) as { errors: { team: string } }).errors.team, /^You need "user_role:manage" globally/);
    ctx.assertClean();
  });

  it('holders <role>', async () => {
    const qa = await ctx.answer('UVERA', 'holders qa');
    assert.match(qa, /\*QA\* is held by:\n• <@UQUINN> — global\n• <@UQUENTIN> — Payments/);
    assert.match(await ctx.answer('UVERA', 'holders billing'), /Nobody holds \*Billing\*/);
    ctx.assertClean();
  });

  it('custom roles: create and edit in the modal (checkboxes per resource), rename, delete; static roles refused', async () => {
    await ctx.command('UADA', 'role create');
    const create = await ctx.fake.waitFor(() => ctx.lastView(), 'the role editor');
    assert.equal(create.view['callback_id'], 'role_editor');
    const blocks = create.view['blocks'] as { block_id?: string; element?: { options?: unknown[] } }[];
    const perms = blocks.filter((b) => b.block_id?.startsWith('perm:'));
    assert.ok(perms.length >= 15 && perms.every((b) => (b.element?.options?.length ?? 0) <= 10), 'one checkbox group per resource, at most 10 options each');
    const noPerm = await ctx.submit('UADA', create.id, { name: state.text('Release Captain'), description: state.text(''), scope: state.radio('team') });
    assert.match(noPerm.text, /Check at least one permission/);
    const r1 = await ctx.command('UADA', 'role create');
    const again = await ctx.fake.waitFor(() => (ctx.lastView()?.id !== create.id ? ctx.lastView() : null), 'another role editor');
    await ctx.submit('UADA', again.id, { name: state.text('Release Captain'), description: state.text('Runs the release train'), scope: state.radio('team'), 'perm:release:0': state.checks(['release:create', 'release:lock']) });
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(r1.responseUrl)[0], 'created')), /Created the custom role \*Release Captain\* \(`role_[^`]+`, team\) with 3 permissions/);
    assert.match(await ctx.answer('UVERA', 'role release captain'), /custom, granted in one team at a time(.|\n)*`release`: view, create, lock/);

    const r2 = await ctx.command('UADA', 'role edit release captain');
    const edit = await ctx.fake.waitFor(() => (ctx.lastView()?.id !== again.id ? ctx.lastView() : null), 'the editor for the role');
    const releaseBlock = (edit.view['blocks'] as { block_id?: string; element?: { initial_options?: { value: string }[] } }[]).find((b) => b.block_id === 'perm:release:0');
    assert.deepEqual(releaseBlock?.element?.initial_options?.map((o) => o.value), ['release:view', 'release:create', 'release:lock'], 'the editor shows what the role allows');
    await ctx.submit('UADA', edit.id, { name: state.text('Release Captain'), description: state.text('Runs the release train'), scope: state.radio('team'), 'perm:release:0': state.checks(['release:create', 'release:lock', 'release:archive']) });
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(r2.responseUrl)[0], 'saved')), /Saved the custom role \*Release Captain\*/);

    assert.match(await ctx.answer('UADA', 'role rename release captain to Release Lead'), /Renamed \*Release Captain\* to \*Release Lead\*/);
    assert.match(await ctx.answer('UADA', `assign ${at('UDMITRI')} release lead payments`), /now holds \*Release Lead\* in \*Payments\*/);
    assert.match(await ctx.answer('UADA', 'role delete release lead'), /^:no_entry: \*Release Lead\* is still granted to <@UDMITRI> in Payments: revoke those grants first \(`\/gatehouse revoke @user [^`]+ \[team\]`\), then delete it\.$/);
    await ctx.answer('UADA', `revoke ${at('UDMITRI')} release lead payments`);
    assert.match(await ctx.answer('UADA', 'role delete release lead'), /Deleted the custom role \*Release Lead\*/);

    assert.match(await ctx.answer('UADA', 'role edit admin'), /^:lock: \*Admin\* is a static role: it cannot be edited, renamed or deleted\. Create a custom role with the permissions you need: `\/gatehouse role create`\.$/);
    assert.match(await ctx.answer('UADA', 'role delete qa'), /^:lock: \*QA\* is a static role: it cannot be edited, renamed or deleted\./);
    await ctx.command('UDEV', 'role create');
    const devView = await ctx.fake.waitFor(() => (ctx.lastView()?.id !== edit.id ? ctx.lastView() : null), 'the editor for a developer');
    const refused = await ctx.submit('UDEV', devView.id, { name: state.text('Sneaky'), description: state.text(''), scope: state.radio('global'), 'perm:gate:0': state.checks(['gate:override']) });
    assert.match((JSON.parse(refused.text) as { errors: { name: string } }).errors.name, /^You need "role:manage" globally/);
    ctx.assertClean();
  });

  it('groups: create with members, add, remove, list, delete; the members are told about their roles', async () => {
    assert.match(await ctx.answer('UADA', `group create qa-crew "QA crew" ${at('UDORA')}`), /Created group \*QA crew\* \(`qa-crew`\) with <@UDORA>/);
    assert.match(await ctx.answer('UADA', `group add qa-crew ${at('UDUC')}`), /Added <@UDUC> to group \*QA crew\* `qa-crew`\./);
    assert.match(await ctx.answer('UADA', 'assign group:qa-crew qa payments'), /group \*QA crew\* `qa-crew` now holds \*QA\* in \*Payments\*/);
    await ctx.settle();
    assert.match(lastDm('UDORA'), /\*Now:\* .*QA \(Payments, via group QA crew\)/);
    assert.match(lastDm('UDUC'), /QA \(Payments, via group QA crew\)/);
    assert.match(await ctx.answer('UVERA', 'groups'), /\*QA crew\* `qa-crew` — members: <@UDORA>, <@UDUC>; roles: QA \(Payments\)/);
    assert.match(await ctx.answer('UADA', `group remove qa-crew ${at('UDUC')}`), /Removed <@UDUC> from group \*QA crew\* `qa-crew`\.\nTheir roles: Viewer \(General\), Developer \(Payments\)/);
    await ctx.settle();
    assert.doesNotMatch(lastDm('UDUC').split('*Now:*')[1] ?? '', /QA/);
    assert.match(await ctx.answer('UADA', 'group delete qa-crew'), /Deleted group \*QA crew\* `qa-crew`; its members lost the roles it gave them\./);
    assert.match(await ctx.answer('UDEV', 'group create devs'), /You need `user_role:manage` globally/);
    assert.match(await ctx.answer('UADA', `group add nope ${at('UDUC')}`), /Group 'nope' does not exist/);
    ctx.assertClean();
  });

  it('keys: create (secret shown once, only to the asker), list, revoke; refusals', async () => {
    // api_key:create in any scope will do: UDEV is a Developer of one team only.
    const r = await ctx.command('UDEV', 'keys create ci deploy');
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the key');
    assert.equal(reply['response_type'], 'ephemeral', 'the secret is ephemeral');
    const secret = /```(ghk_[^`]+)```/.exec(textOf(reply))?.[1] ?? assert.fail('a secret in the answer');
    assert.ok(!JSON.stringify(ctx.fake.calls.filter((c) => c.method !== 'response_url')).includes(secret), 'the secret never went into a channel message');
    const me = await fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(me.status, 200, 'the key works');
    const list = await ctx.answer('UDEV', 'keys');
    const keyId = /`(key_[^`]+)` \*ci deploy\* \(API key/.exec(list)?.[1] ?? assert.fail(`the key is listed: ${list}`);
    assert.ok(!list.includes(secret), 'lists never show secrets');
    assert.match(await ctx.answer('UDEV', `keys revoke ${keyId}`), /Revoked key/);
    assert.equal((await fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status, 401, 'revoked keys stop working');

    assert.match(await ctx.answer('UVERA', 'keys create mine'), /You need `api_key:create` globally/);
    assert.match(await ctx.answer('UVERA', 'keys create token for vscode'), /Created a \*personal token\*/, 'anyone may have a personal token');
    assert.match(await ctx.answer('UDEV', 'keys all'), /You need `api_key:manage` globally/);
    assert.match(await ctx.answer('UADA', 'keys all'), /API keys of the account/);
    assert.match(await ctx.answer('UVERA', `keys revoke ${keyId}`), /You need `api_key:manage`/);
    ctx.assertClean();
  });

  it('audit [@user], review and verify', async () => {
    await ctx.answer('UADA', `assign ${at('UDORA')} qa payments`);
    const all = await ctx.answer('USEC', 'audit');
    assert.match(all, /Audit trail\* for the account/);
    assert.match(all, /<@UADA> granted \*QA\* to <@UDORA> in Payments/);
    assert.match(await ctx.answer('USEC', `audit ${at('UDORA')}`), /for <@UDORA>(.|\n)*granted \*QA\* to <@UDORA>/);
    assert.match(await ctx.answer('UDEV', 'audit'), /You need `audit:view` globally/);
    assert.match(await ctx.answer('UDEV', `audit ${at('UDEV')}`), /Audit trail\* for <@UDEV>/, 'your own trail needs no audit:view');

    const review = await ctx.answer('UADA', 'review');
    assert.match(review, /\*Admins\* \(2\): <@UADA>, <@UGRACE>/);
    assert.match(review, /Keys exceeding their owner/);
    assert.match(await ctx.answer('UDEV', 'review'), /You need `user_role:manage` globally/);

    assert.match(await ctx.answer('USEC', 'verify'), /The audit trail is intact: \d+ events/);
    assert.match(await ctx.answer('UVERA', 'verify'), /You need `audit:view` globally/);
    ctx.assertClean();
  });

  it('request-approval: refused without version:create; unknown names explained', async () => {
    assert.match(await ctx.answer('UQUINN', 'request-approval checkout 1.5.0-rc.1 production'), /You need `version:create` in team Payments/);
    assert.match(await ctx.answer('UDEV', 'request-approval checkout 9.9.9 production'), /Version 'Checkout 9\.9\.9' does not exist/);
    assert.match(await ctx.answer('UDEV', 'request-approval checkout 1.5.0-rc.1 mars'), /Environment 'mars' does not exist/);
    const ok = await ctx.answer('UDEV', 'request-approval checkout 1.5.0-rc.1 production');
    assert.match(ok, /Approval requested for production; missing: qa: 1 more approval; security: 1 more approval; operational: 1 more approval/);
    await ctx.settle();
    assert.equal(ctx.fake.channelMessages('CAPPROVALS').length, 1, 'the approval message was posted');
    ctx.assertClean();
  });
});

describe('Slack: a workspace without an account', () => {
  it('says what the operator has to do (not to set GATEHOUSE_ACCOUNT_ID: the server serves the workspace already)', async () => {
    const ctx = await setupSlack({ seed: false });
    try {
      const text = await ctx.answer('UADA', 'whoami');
      assert.equal(text, ':construction: This Slack workspace (`TDEMO`) has no Gatehouse account yet. The operator sets `GATEHOUSE_BOOTSTRAP_ADMINS=<Slack user id of the first Admin>` and restarts, or runs `npm run gatehouse -- bootstrap --admin <user id>`.');
      assert.match(await ctx.answer('UADA', 'help'), /Gatehouse\* — roles and release approvals/, 'help works anyway');
      assert.equal(ctx.account.exists, false, 'nothing was created');
      ctx.assertClean();
    } finally {
      await ctx.close();
    }
  });

  it('a served workspace other than the first is told to create its account with the CLI, naming it', async () => {
    const ctx = await setupSlack({ seed: false, env: { GATEHOUSE_ACCOUNT_ID: 'TFIRST,TDEMO' } });
    try {
      const text = await ctx.answer('UADA', 'whoami');
      assert.equal(text, ':construction: This Slack workspace (`TDEMO`) has no Gatehouse account yet. The operator creates it with `GATEHOUSE_ACCOUNT_ID=TDEMO npm run gatehouse -- bootstrap --admin <Slack user id of the first Admin>`.');
      assert.equal(ctx.account.exists, false, 'nothing was created');
      ctx.assertClean();
    } finally {
      await ctx.close();
    }
  });
});

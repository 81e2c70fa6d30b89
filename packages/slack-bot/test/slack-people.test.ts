import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { at, setupSlack, textOf } from './support/slack-harness.js';


describe('Slack: users, service accounts and their keys from the slash command', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const me = async (secret: string) => (await fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status;

  it('user add (named from Slack or as typed), deactivate, reactivate; refusals and usage', async () => {
    ctx.fake.directory.set('UNINA', { name: 'Nina Newbie' });
    assert.match(await ctx.answer('UADA', `user add ${at('UNINA')}`), /Added <@UNINA> \(\*Nina Newbie\*\)\. They start with Viewer \(General\); give them more with `\/gatehouse assign <@UNINA> <role> \[team\]`\./);
    assert.equal(ctx.account.view.users['UNINA']?.name, 'Nina Newbie');
    assert.match(await ctx.answer('UADA', 'user add U0OLGA Olga <Ops>'), /Added <@U0OLGA> \(\*Olga &lt;Ops&gt;\*\)/);
    assert.equal(ctx.fake.callsTo('users.info').length, 1, 'a name given is not looked up');
    assert.match(await ctx.answer('UADA', `user add ${at('UNINA')}`), /<@UNINA> was already known to Gatehouse as \*Nina Newbie\*\. Their roles: Viewer \(General\)/);
    ctx.fake.directory.set('UGONE', { name: 'Gone', deleted: true });
    assert.match(await ctx.answer('UADA', 'user add <@UGONE>'), /<@UGONE> is deactivated in Slack/);
    assert.equal(ctx.account.view.users['UGONE'], undefined);
    assert.match(await ctx.answer('UVERA', 'user add U0SNEAK Sneaky'), /You need `user_role:manage` globally, which none of your roles grants\. Roles that grant it: Admin\./);
    assert.equal(ctx.account.view.users['U0SNEAK'], undefined);
    assert.match(await ctx.answer('UADA', 'user add'), /Mention the user, or give their Slack user id\.\nUsage: `\/gatehouse user add @user\|<id> \[name…\]`/);
    assert.match(await ctx.answer('UADA', 'user'), /Usage: `\/gatehouse user add/);

    const devKey = ctx.demo?.keys.find((k) => k.userId === 'UDEV')?.secret ?? assert.fail('demo key');
    assert.equal(await me(devKey), 200);
    assert.match(await ctx.answer('UADA', `user deactivate ${at('UDEV')}`), /Deactivated <@UDEV>: they hold no permissions now and their keys stop working\. `\/gatehouse user reactivate` gives their roles back\./);
    assert.equal(await me(devKey), 401, 'the key of a deactivated user stops working');
    assert.equal(ctx.account.can('UDEV', 'version:create', 'payments'), false);
    assert.match(await ctx.answer('UADA', `user deactivate ${at('UDEV')}`), /Nothing changed: <@UDEV> is already deactivated/);
    assert.match(await ctx.answer('UADA', `user reactivate ${at('UDEV')}`), /Reactivated <@UDEV>; their roles count again: Viewer \(General\), Developer \(Payments\)/);
    assert.equal(await me(devKey), 200);
    assert.match(await ctx.answer('UADA', `user reactivate ${at('UDEV')}`), /Nothing changed: <@UDEV> is active/);

    assert.match(await ctx.answer('UADA', `user deactivate ${at('UADA')}`), /Nobody changes their own roles/);
    assert.match(await ctx.answer('URITA', `user deactivate ${at('UDEV')}`), /You need `user_role:manage` globally/);
    assert.match(await ctx.answer('UADA', 'user deactivate <@UNOBODY>'), /User 'UNOBODY' does not exist/);
    assert.match(await ctx.answer('UADA', 'user deactivate'), /Mention the user to deactivate/);
    assert.match(await ctx.answer('UADA', 'user promote @x'), /`promote` is not a user action/);
    ctx.assertClean();
  });

  it('service-account create with roles, then a key for it that CI can use; refusals and usage', async () => {
    const created = await ctx.answer('UADA', 'service-account create ci-checkout Checkout CI with developer payments and qa');
    assert.match(created, /Created service account \*Checkout CI\* \(`ci-checkout`\) with .*\. Its key for CI: `\/gatehouse keys create <key name> for ci-checkout`/);
    for (const role of ['Viewer (General)', 'Developer (Payments)', 'QA (global)']) assert.ok(created.includes(role), `it holds ${role}`);
    assert.equal(ctx.account.view.users['ci-checkout']?.serviceAccount, true);

    const r = await ctx.command('UADA', 'keys create checkout deploy for ci-checkout');
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the key');
    assert.equal(reply['response_type'], 'ephemeral');
    assert.match(textOf(reply), /Created an \*API key\* for \*Checkout CI\* \(service account\) \(it keeps the permissions \*Checkout CI\* \(service account\) has now/);
    const secret = /```(ghk_[^`]+)```/.exec(textOf(reply))?.[1] ?? assert.fail('a secret');
    const version = await fetch(`${ctx.server.url}/api/v1/versions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'checkout', version: '9.0.0' }) });
    assert.equal(version.status, 201, 'the service account creates versions of its team');
    assert.equal(ctx.account.view.keys[Object.keys(ctx.account.view.keys).at(-1) ?? '']?.ownerId, 'ci-checkout');
    assert.match(await ctx.answer('UADA', 'keys all'), /\*checkout deploy\* \(API key, `ghk_[^`]+…`\) of \*Checkout CI\* \(service account\)/);

    assert.match(await ctx.answer('UDEV', 'keys create sneaky for ci-checkout'), /You need `api_key:manage` globally/);
    assert.match(await ctx.answer('UADA', 'keys create x for nobody'), /User 'nobody' does not exist/);
    assert.match(await ctx.answer('URITA', 'service-account create ci-search Search CI'), /You need `user_role:manage` globally/);
    assert.equal(ctx.account.view.users['ci-search'], undefined);
    assert.match(await ctx.answer('UADA', 'service-account create ci-checkout Again'), /User 'ci-checkout' already exists\. Pick another name or id\./);
    assert.match(await ctx.answer('UADA', 'service-account create ci-x X with wizard'), /I could not read `wizard` as a role/);
    assert.equal(ctx.account.view.users['ci-x'], undefined, 'nothing is created when the roles do not parse');
    assert.match(await ctx.answer('UADA', 'service-account create ci-x X with'), /Name the roles after `with`/);
    assert.match(await ctx.answer('UADA', 'service-account create'), /Give the service account an id and a name\.\nUsage: `\/gatehouse service-account create <id> <name…> \[with <role> \[team\]…\]`/);
    assert.match(await ctx.answer('UADA', 'service-account delete ci-x'), /`delete` is not a service-account action/);

    // Someone who may add users but not grant Admin: the account is made, the role is refused with the reason.
    await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'people', name: 'People ops', scope: 'global', permissions: ['user_role:manage'] });
    await ctx.account.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'UVIC' }, roleId: 'people', teamId: null });
    const partial = await ctx.answer('UVIC', 'service-account create ci-root Root CI with admin');
    assert.match(partial, /Created service account \*Root CI\* \(`ci-root`\), but it did not get \*Admin\* globally:\n:no_entry: Only an Admin makes an Admin: ask one/);
    assert.match(partial, /Its roles: Viewer \(General\)$/);
    ctx.assertClean();
  });
});

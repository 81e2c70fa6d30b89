import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { chan, setupSlack } from './support/slack-harness.js';


describe('Slack: teams, products, environments and settings from the slash command', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('help lists every admin subcommand; the audit trail names what they changed', async () => {
    const help = await ctx.answer('UVERA', 'help');
    for (const sub of ['setup', 'teams', 'team create', 'team rename', 'team members', 'products', 'product create', 'product team', 'product channel', 'environments', 'environment create', 'environment production', 'environment channel', 'rules', 'rule set', 'rule delete', 'releases', 'release create', 'release add', 'release lock|unlock|archive|restore|delete', 'settings default-role', 'settings default-team', 'settings channel', 'user add', 'user deactivate', 'user reactivate', 'service-account create', 'keys create [token] <name> [for @user|<service account>]']) {
      assert.ok(help.includes(`/gatehouse ${sub}`), `help mentions ${sub}`);
    }
    await ctx.answer('UADA', 'team create platform Platform');
    await ctx.answer('UADA', 'product create portal platform Portal');
    await ctx.answer('UADA', 'product team portal payments');
    await ctx.answer('UADA', `environment channel production ${chan('CPROD', 'prod')}`);
    await ctx.answer('UADA', `settings channel ${chan('CRELEASES', 'releases')}`);
    const trail = await ctx.answer('UADA', 'audit');
    for (const line of [
      '<@UADA> created team *Platform*',
      '<@UADA> created product *Portal* in team Platform',
      '<@UADA> changed product *Portal*: moved to team Payments',
      '<@UADA> changed environment *production*: approval messages to <#CPROD>',
      '<@UADA> changed the account settings (approvals channel <#CRELEASES>)',
    ]) {
      assert.ok(trail.includes(line), `the trail says: ${line}\n${trail}`);
    }
    ctx.assertClean();
  });

  it('teams: list, create, rename, members; refusals and usage', async () => {
    const list = await ctx.answer('UVERA', 'teams');
    assert.match(list, /\*Teams\* \(3\)/);
    assert.match(list, /• \*Payments\* — \d+ members; products: Checkout/);

    assert.match(await ctx.answer('UADA', 'team create platform Platform <team> & co'), /Created team \*Platform &lt;team&gt; &amp; co\* \(`platform`\)\. Next: a product for it \(`\/gatehouse product create <id> platform <name>`\)/);
    assert.equal(ctx.account.view.teams['platform']?.name, 'Platform <team> & co');
    assert.match(await ctx.answer('UADA', 'team rename platform Platform'), /Renamed team \*Platform &lt;team&gt; &amp; co\* to \*Platform\*/);
    assert.match(await ctx.answer('UADA', 'team rename Platform Platform'), /Nothing changed: the team is already called \*Platform\*/);

    assert.match(await ctx.answer('UVERA', 'team create ops Ops'), /You need `team:manage` globally, which none of your roles grants\. Roles that grant it: Admin\./);
    assert.equal(ctx.account.view.teams['ops'], undefined);
    assert.match(await ctx.answer('URITA', 'team rename payments Money'), /You need `team:manage` globally/);
    assert.match(await ctx.answer('UADA', 'team create payments Again'), /Team 'payments' already exists\. Pick another name or id\./);
    assert.match(await ctx.answer('UADA', 'team create ops'), /Give the team an id and a name, e\.g\. `team create payments Payments`\.\nUsage: `\/gatehouse teams` — every team · `\/gatehouse team create <id> <name…>`/);
    assert.match(await ctx.answer('UADA', 'team rename atlantis Deep'), /Team 'atlantis' does not exist/);
    assert.match(await ctx.answer('UADA', 'team frob'), /`frob` is not a team action/);

    const members = await ctx.answer('UVERA', 'team members payments');
    assert.match(members, /\*Payments\* — \d+ members with roles in the team/);
    assert.match(members, /• <@UDEV> — Developer\n/);
    assert.match(members, /• <@UDANA> — Developer, SRE via group On-call/);
    assert.match(members, /• <@USTEVE> — SRE/);
    assert.doesNotMatch(members, /UADA/, 'global roles are not team grants');
    assert.match(await ctx.answer('UVERA', 'team members platform'), /Nobody holds a role in \*Platform\*/);
    assert.match(await ctx.answer('UVERA', 'team members'), /Name one team/);
    ctx.assertClean();
  });

  it('products: list, create, move to another team, set and clear the channel; refusals and usage', async () => {
    assert.match(await ctx.answer('UVERA', 'products'), /• \*Checkout\* — team \*Payments\*; approval messages in the account's channel \(<#CAPPROVALS>\)/);

    const created = await ctx.answer('URITA', 'product create billing payments Billing portal');
    assert.match(created, /Created product \*Billing portal\* \(`billing`\) in team \*Payments\*; its approval messages go to the account's approvals channel, <#CAPPROVALS>\./);
    assert.deepEqual(ctx.account.view.products['billing']?.teamId, 'payments');
    assert.match(await ctx.answer('UDEV', 'product create wallet payments Wallet'), /You need `product:create` in team Payments, which none of your roles grants\. Roles that grant it: Admin, Release Manager\./);
    assert.match(await ctx.answer('URITA', 'product create wallet'), /Give the product an id, its team and a name/);
    assert.match(await ctx.answer('URITA', 'product create wallet atlantis Wallet'), /Team 'atlantis' does not exist/);

    assert.match(await ctx.answer('UADA', 'product team billing search'), /Moved \*Billing portal\* from team \*Payments\* to \*Search\*: roles in \*Search\* now decide who may approve and deploy it\./);
    assert.equal(ctx.account.view.products['billing']?.teamId, 'search');
    assert.match(await ctx.answer('UADA', 'product team billing search'), /Nothing changed: \*Billing portal\* is already in team \*Search\*/);
    assert.match(await ctx.answer('URUSS', 'product team checkout search'), /You need `product:edit` in team Payments/, 'a Release Manager of Search cannot take a product from Payments');
    assert.match(await ctx.answer('UADA', 'product team checkout'), /Name the product, then the team to move it to/);

    assert.match(await ctx.answer('URITA', `product channel checkout ${chan('CCHECKOUT', 'checkout')}`), /Approval messages for \*Checkout\* now go to <#CCHECKOUT> \(an environment's own channel comes first\)/);
    assert.equal(ctx.account.view.products['checkout']?.channel, 'CCHECKOUT');
    assert.match(await ctx.answer('URITA', 'product channel checkout none'), /Approval messages for \*Checkout\* now go to the account's approvals channel, <#CAPPROVALS>/);
    assert.equal(ctx.account.view.products['checkout']?.channel, null);
    assert.match(await ctx.answer('URITA', 'product channel checkout #checkout'), /Name the product, then `#channel` \(pick it with #\) or `none`/);
    assert.match(await ctx.answer('UVERA', `product channel checkout ${chan('CX', 'x')}`), /You need `product:edit` in team Payments/);
    assert.match(await ctx.answer('URITA', 'product channel wallet none'), /Product 'wallet' does not exist\. \(`products` lists them\)/);
    assert.match(await ctx.answer('URITA', 'product frob'), /`frob` is not a product action/);
    ctx.assertClean();
  });

  it('environments: list, create (production, for one product), production on/off, channel; refusals and usage', async () => {
    assert.match(await ctx.answer('UVERA', 'environments'), /• \*production\* — production, for every product/);

    const created = await ctx.answer('USAM', 'environment create prod-eu production for checkout Production EU');
    assert.match(created, /Created production environment \*Production EU\* \(`prod-eu`\) for \*Checkout\* only\. Say which approvals it needs with `\/gatehouse rule set prod-eu checkout`\./);
    assert.deepEqual(ctx.account.view.environments['prod-eu'] && { ...ctx.account.view.environments['prod-eu'], createdAt: 0 }, { id: 'prod-eu', name: 'Production EU', productId: 'checkout', production: true, createdAt: 0 });
    assert.match(await ctx.answer('USAM', 'environment create qa-lab for search-api production'), /Created production environment \*qa-lab\* for \*Search API\* only/, 'either order; the id names it when no name is given');
    assert.match(await ctx.answer('USAM', 'environment create sandbox Sandbox'), /Created environment \*Sandbox\* for every product/);
    assert.equal(ctx.account.view.environments['sandbox']?.production, false);
    assert.match(await ctx.answer('UVERA', 'environments'), /• \*Production EU\* `prod-eu` — production, for \*Checkout\* only/);

    assert.match(await ctx.answer('UDEV', 'environment create perf Perf'), /You need `environment:create` globally, which none of your roles grants\. Roles that grant it: Admin, Release Manager, SRE\./);
    assert.match(await ctx.answer('USTEVE', 'environment create perf for checkout Perf'), /Created environment \*Perf\* for \*Checkout\* only/, "an SRE of Payments may create Checkout's environments");
    assert.match(await ctx.answer('USAM', 'environment create'), /Give the environment an id/);
    assert.match(await ctx.answer('USAM', 'environment create perf2 for'), /Name the product after `for`/);
    assert.match(await ctx.answer('USAM', 'environment create perf2 for nothing'), /Product 'nothing' does not exist/);

    assert.match(await ctx.answer('USAM', 'environment production staging on'), /\*staging\* is now a production environment/);
    assert.equal(ctx.account.view.environments['staging']?.production, true);
    assert.match(await ctx.answer('USAM', 'environment production staging on'), /Nothing changed: \*staging\* is already a production environment/);
    assert.match(await ctx.answer('USAM', 'environment production staging off'), /\*staging\* is now not a production environment/);
    assert.match(await ctx.answer('USAM', 'environment production staging maybe'), /Name the environment, then `on` or `off`/);
    assert.match(await ctx.answer('UVERA', 'environment production staging on'), /You need `environment:edit` globally/);

    assert.match(await ctx.answer('USAM', `environment channel production ${chan('CPROD', 'prod')}`), /Approval messages for \*production\* now go to <#CPROD>/);
    assert.equal(ctx.account.view.environments['production']?.channel, 'CPROD');
    assert.match(await ctx.answer('USAM', 'environment channel production none'), /now go to each product's channel, else the account's approvals channel, <#CAPPROVALS>/);
    assert.match(await ctx.answer('USAM', 'environment channel prod-eu none'), /Nothing changed: approval messages for \*Production EU\* \(for \*Checkout\*\) already go to the account's approvals channel/);
    assert.match(await ctx.answer('USAM', 'environment channel production'), /`#channel` \(pick it with #\) or `none`/);
    assert.match(await ctx.answer('USAM', 'environment channel mars none'), /Environment 'mars' does not exist\. \(`environments` lists them\)/);
    assert.match(await ctx.answer('USAM', 'environment frob'), /`frob` is not an environment action/);
    ctx.assertClean();
  });

  it('settings: show, default role, default team, approvals channel; refusals and usage', async () => {
    const shown = await ctx.answer('UVERA', 'settings');
    assert.match(shown, /Newcomers get \*Viewer\* in \*General\*/);
    assert.match(shown, /Approvals channel \(approval messages and access requests\): none set, so the server's default <#CAPPROVALS>/);

    assert.match(await ctx.answer('UADA', 'settings default-role developer'), /Newcomers now get \*Developer\* in \*General\* \(was \*Viewer\*\)\. People already here keep their roles\./);
    assert.equal(ctx.account.view.settings.defaultRoleId, 'developer');
    assert.match(await ctx.answer('UADA', 'settings default-role admin'), /:no_entry: The default role for newcomers cannot be Admin\.$/);
    assert.match(await ctx.answer('UADA', 'settings default-team payments'), /Newcomers now land in \*Payments\* with \*Developer\* \(was \*General\*\)/);
    assert.equal(ctx.account.view.settings.defaultTeamId, 'payments');
    assert.match(await ctx.answer('UADA', `settings channel ${chan('CRELEASES', 'releases')}`), /Approval messages and access requests now go to <#CRELEASES> \(unless a product or environment has a channel of its own\)/);
    assert.equal(ctx.account.view.settings.defaultChannel, 'CRELEASES');
    assert.match(await ctx.answer('UVERA', 'settings'), /Approvals channel \(approval messages and access requests\): <#CRELEASES>/);
    assert.match(await ctx.answer('UADA', 'settings channel none'), /now go to the server's default, <#CAPPROVALS>/);

    assert.match(await ctx.answer('URITA', 'settings channel none'), /You need `user_role:manage` globally/);
    assert.match(await ctx.answer('UADA', 'settings channel approvals'), /Pick the channel with #/);
    assert.match(await ctx.answer('UADA', 'settings default-team'), /Name one team/);
    assert.match(await ctx.answer('UADA', 'settings default-role'), /Name the role newcomers get/);
    assert.match(await ctx.answer('UADA', 'settings colour blue'), /`colour` is not a setting/);
    ctx.assertClean();
  });
});

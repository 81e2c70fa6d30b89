import assert from 'node:assert/strict';
import { checkModal } from './support/block-kit.js';
import type { SlackCtx } from './support/slack-harness.js';
import { ruleValues, setupSlack, textOf } from './support/slack-harness.js';

describe('Slack: deployment rules from the slash command and their form', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  /** Runs `rule set …` and returns the form it opened and where the answer goes. */
  async function openForm(userId: string, text: string) {
    const before = ctx.fake.views.size;
    const r = await ctx.command(userId, text);
    const view = await ctx.fake.waitFor(() => ctx.fake.views.size > before && ctx.lastView(), 'the rule form');
    return { view, responseUrl: r.responseUrl };
  }
  const initial = (view: { view: Record<string, unknown> }, block: string) => {
    const b = (view.view['blocks'] as { block_id?: string; element?: { initial_option?: { value: string }; initial_options?: { value: string }[] } }[]).find((x) => x.block_id === block);
    return b?.element?.initial_option?.value ?? b?.element?.initial_options?.map((o) => o.value);
  };

  it('rules and rule <environment> [product] show what is asked, by name', async () => {
    const list = await ctx.answer('UVERA', 'rules');
    assert.match(list, /\*Deployment rules\* \(2\)/);
    assert.match(list, /• \*staging\* \(every product\): QA ×1; the creator cannot approve their own version/);
    assert.match(list, /• \*production\* \(every product\): QA ×1, Security ×1, Operational ×1; the creator cannot approve/);
    assert.match(await ctx.answer('UVERA', 'rule production'), /\*Rule for \*production\* \(every product\)\*: QA ×1, Security ×1, Operational ×1;[^\n]*\nChange it with `\/gatehouse rule set production`/);
    assert.match(await ctx.answer('UVERA', 'rule production checkout'), /No rule for \*production\* for \*Checkout\*\. The rule for every product applies too: QA ×1, Security ×1, Operational ×1; .*Set one with `\/gatehouse rule set production checkout`/);
    assert.match(await ctx.answer('UVERA', 'rule dev'), /No rule for \*dev\* \(every product\)\. Versions go there without approvals\./);
    assert.match(await ctx.answer('UVERA', 'rule'), /Name the environment \(and the product, for a rule of one product\)\.\nUsage: `\/gatehouse rules` — every deployment rule/);
    assert.match(await ctx.answer('UVERA', 'rule production checkout now'), /Name one environment and at most one product/);
    assert.match(await ctx.answer('UVERA', 'rule mars'), /Environment 'mars' does not exist/);
    ctx.assertClean();
  });

  it('rule set opens the form prefilled; saving changes the quorum the approval message asks for', async () => {
    const { view, responseUrl } = await openForm('USAM', 'rule set production');
    assert.equal(view.view['callback_id'], 'rule_editor');
    assert.deepEqual(checkModal(view.view), []);
    assert.equal(initial(view, 'quorum:qa'), '1');
    assert.equal(initial(view, 'quorum:security'), '1');
    assert.equal(initial(view, 'quorum:compliance'), '0', 'not required');
    assert.deepEqual(initial(view, 'checks'), ['sod']);
    assert.match(textOf({ blocks: view.view['blocks'] }), /The rule for \*production\* \(every product\) asks now: QA ×1, Security ×1, Operational ×1/);

    const none = await ctx.submit('USAM', view.id, ruleValues({}, ['sod']));
    assert.deepEqual(JSON.parse(none.text), { response_action: 'errors', errors: { 'quorum:qa': 'Require at least one approval (to let everything through, delete the rule instead)' } });

    const ok = await ctx.submit('USAM', view.id, ruleValues({ qa: 1, security: 2, operational: 1 }, ['sod', 'release']));
    assert.equal(ok.status, 200);
    assert.equal(ok.text, '', 'the form closes');
    const said = textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer'));
    assert.equal(said, ':white_check_mark: Saved the rule for *production* (every product): QA ×1, Security ×2, Operational ×1; the release must be approved; the creator cannot approve their own version.');
    const rule = Object.values(ctx.account.view.rules).find((r) => r.environmentId === 'production' && r.productId === null);
    assert.deepEqual(rule?.requirements, [{ type: 'qa', quorum: 1 }, { type: 'security', quorum: 2 }, { type: 'operational', quorum: 1 }]);
    assert.equal(rule?.requireReleaseApproval, true);
    assert.match(await ctx.answer('UDEV', 'request-approval checkout 1.5.0-rc.1 production'), /missing: qa: 1 more approval; security: 2 more approvals; operational: 1 more approval; release approval/);

    const again = await openForm('USAM', 'rule set production');
    await ctx.submit('USAM', again.view.id, ruleValues({ qa: 1, security: 2, operational: 1 }, ['sod', 'release']));
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(again.responseUrl)[0], 'the answer')), /^Nothing changed in the rule for \*production\*/);
    ctx.assertClean();
  });

  it('a rule for one product: created by a team SRE; refusals come before the form; delete', async () => {
    const { view, responseUrl } = await openForm('USTEVE', 'rule set production checkout');
    assert.match(textOf({ blocks: view.view['blocks'] }), /No rule for \*production\* for \*Checkout\* yet\. The rule for every product applies too: QA ×1, Security ×1, Operational ×1;/);
    assert.equal(initial(view, 'quorum:qa'), '1', 'a new rule starts with one QA approval');
    await ctx.submit('USTEVE', view.id, ruleValues({ compliance: 1 }, []));
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer')), /Created the rule for \*production\* for \*Checkout\*: Compliance ×1; the creator's own approval counts/);
    assert.ok(Object.values(ctx.account.view.rules).some((r) => r.productId === 'checkout' && r.requirements[0]?.type === 'compliance'));

    const views = ctx.fake.views.size;
    assert.match(await ctx.answer('USTEVE', 'rule set production'), /You need `deployment_rule:manage` globally, which none of your roles grants\. Roles that grant it: Admin, Release Manager, SRE\./);
    assert.match(await ctx.answer('UDEV', 'rule set staging checkout'), /You need `deployment_rule:manage` in team Payments/);
    assert.equal(ctx.fake.views.size, views, 'no form for those who may not save it');
    assert.match(await ctx.answer('USAM', 'rule set'), /Name the environment/);
    await ctx.account.createEnvironment({ userId: 'UADA' }, { environmentId: 'prod-eu', name: 'Production EU', productId: 'checkout', production: true });
    assert.match(await ctx.answer('USAM', 'rule set prod-eu search-api'), /\*Production EU\* is an environment of \*Checkout\*, not of \*Search API\*/);

    assert.match(await ctx.answer('UDEV', 'rule delete production checkout'), /You need `deployment_rule:delete` in team Payments/);
    assert.match(await ctx.answer('URITA', 'rule delete production checkout'), /Deleted the rule for \*production\* for \*Checkout\*\. The rule for every product applies too: QA ×1/);
    assert.match(await ctx.answer('URITA', 'rule delete production checkout'), /Nothing changed: there is no rule for \*production\* for \*Checkout\*/);
    ctx.assertClean();
  });
});

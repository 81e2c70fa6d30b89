import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { OpenedView } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { actionIds, at, ruleValues, setupSlack, state, textOf } from './support/slack-harness.js';

const run = promisify(execFile);

type Blocks = Record<string, unknown>[];
/** The HTTP answer to a view submission. */
const answerOf = (r: { text: string }) => JSON.parse(r.text) as { response_action?: string; errors?: Record<string, string> };
const blocksOf = (v: OpenedView) => v.view['blocks'] as Blocks;
const textOfView = (v: OpenedView) => textOf({ blocks: v.view['blocks'] }).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const blockIds = (v: OpenedView) => blocksOf(v).flatMap((b) => (b['type'] === 'input' ? [String(b['block_id'])] : []));

/** Waits until the view shows `text` (the listener updates it after its ack). */
async function viewShowing(ctx: SlackCtx, viewId: string, text: string): Promise<OpenedView> {
  return ctx.fake.waitFor(() => {
    const v = ctx.fake.views.get(viewId);
    return v && textOfView(v).includes(text) ? v : null;
  }, `the view to show "${text}"`);
}

describe('Slack: /gatehouse setup, the first run in a modal', () => {
  let ctx: SlackCtx;
  afterEach(async () => {
    await ctx.close();
  });

  it('from a fresh install to the first approval message: channel, team, product, environment, rule, CI key, then CI over REST', async () => {
    ctx = await setupSlack({ seed: false, env: { GATEHOUSE_BOOTSTRAP_ADMINS: 'UNEWADMIN', GATEHOUSE_DEFAULT_CHANNEL: '' } });
    assert.ok(ctx.account.exists, 'the bootstrap created the account');
    assert.match(await ctx.answer('UNEWADMIN', 'help'), /`\/gatehouse setup` — first run/);

    const cmd = await ctx.command('UNEWADMIN', 'setup');
    const opened = await ctx.fake.waitFor(() => ctx.lastView(), 'the setup modal');
    const id = opened.id;
    assert.equal(opened.view['callback_id'], 'setup');
    assert.deepEqual(blockIds(opened), ['channel']);
    assert.match(textOfView(opened), /Step 1 of 5 · approvals channel/);

    // Step 1: the approvals channel (required).
    const noChannel = await ctx.submit('UNEWADMIN', id, { channel: { v: { type: 'conversations_select', selected_conversation: null } } });
    assert.deepEqual(JSON.parse(noChannel.text), { response_action: 'errors', errors: { channel: 'Pick the channel approval messages go to' } });
    const saved = await ctx.submit('UNEWADMIN', id, { channel: state.channel('CRELEASES') });
    assert.equal(answerOf(saved).response_action, 'update', 'the next step replaces the form');
    let view = await viewShowing(ctx, id, 'Step 2 of 5');
    assert.equal(ctx.account.view.settings.defaultChannel, 'CRELEASES');

    // Step 2: the team; a taken id is refused in the form; the id comes from the name when empty.
    assert.deepEqual(blockIds(view), ['name', 'id']);
    const taken = await ctx.submit('UNEWADMIN', id, { name: state.text('General'), id: state.text('') });
    assert.deepEqual(JSON.parse(taken.text), { response_action: 'errors', errors: { id: 'There is a team with the id general already: pick another id' } });
    const badId = await ctx.submit('UNEWADMIN', id, { name: state.text('Web'), id: state.text('-no') });
    assert.match(answerOf(badId).errors?.['id'] ?? '', /letters, digits/);
    await ctx.submit('UNEWADMIN', id, { name: state.text('Web Platform'), id: state.text('') });
    view = await viewShowing(ctx, id, 'Step 3 of 5');
    assert.equal(ctx.account.view.teams['web-platform']?.name, 'Web Platform');
    assert.match(textOfView(view), /The product belongs to \*Web Platform\*/);

    // Step 3: the product, in that team.
    const noName = await ctx.submit('UNEWADMIN', id, { name: state.text(' '), id: state.text('shop') });
    assert.deepEqual(answerOf(noName).errors, { name: 'Give it a name' });
    await ctx.submit('UNEWADMIN', id, { name: state.text('Web Shop'), id: state.text('shop') });
    view = await viewShowing(ctx, id, 'Step 4 of 5');
    assert.equal(ctx.account.view.products['shop']?.teamId, 'web-platform');

    // Step 4: the production environment (prefilled "production").
    const envName = blocksOf(view).find((b) => b['block_id'] === 'name') as { element: { initial_value?: string } };
    assert.equal(envName.element.initial_value, 'production');
    await ctx.submit('UNEWADMIN', id, { name: state.text('production'), id: state.text('') });
    view = await viewShowing(ctx, id, 'Step 5 of 5');
    assert.equal(ctx.account.view.environments['production']?.production, true);

    // Step 5: the rule; nothing required is refused in the form.
    const nothing = await ctx.submit('UNEWADMIN', id, ruleValues({}, ['sod']));
    assert.equal(answerOf(nothing).response_action, 'errors');
    await ctx.submit('UNEWADMIN', id, ruleValues({ qa: 1, security: 1 }, ['sod']));
    view = await viewShowing(ctx, id, 'Gatehouse is set up');
    const done = textOfView(view);
    assert.match(done, /Team \*Web Platform\* owns \*Web Shop\*; a version going to \*production\* needs QA ×1, Security ×1; the creator cannot approve their own version\. Approval messages go to <#CRELEASES>\./);
    assert.deepEqual(actionIds({ blocks: blocksOf(view) }), ['setup_key:mine', 'setup_key:service-account']);
    const rule = Object.values(ctx.account.view.rules)[0];
    assert.deepEqual([rule?.environmentId, rule?.productId, rule?.requirements], ['production', null, [{ type: 'qa', quorum: 1 }, { type: 'security', quorum: 1 }]]);

    // The CI lines, exactly as shown.
    const shell = /```([\s\S]*?)```/.exec(done)?.[1] ?? assert.fail('the CI lines');
    assert.equal(
      shell,
      [
        'VERSION_ID=$(curl -sf -X POST "$GATEHOUSE_URL/api/v1/versions" \\',
        '  -H "Authorization: Bearer $GATEHOUSE_KEY" \\',
        '  -H "Content-Type: application/json" \\',
        `  -d '{"productId":"shop","version":"1.0.0"}' | jq -r .version.id)`,
        'curl -sf -X POST "$GATEHOUSE_URL/api/v1/versions/$VERSION_ID/approval-requests" \\',
        '  -H "Authorization: Bearer $GATEHOUSE_KEY" \\',
        '  -H "Content-Type: application/json" \\',
        `  -d '{"environmentId":"production"}'`,
      ].join('\n'),
    );

    // The CI key: a service account with Developer in the team; the secret only to the admin.
    await ctx.clickInView('UNEWADMIN', id, 'setup_key:service-account');
    view = await viewShowing(ctx, id, 'Created the API key');
    assert.match(textOfView(view), /Created the API key \*CI for Web Shop\*, owned by \*CI for Web Shop\* \(service account\)\. Its secret is in a message only you can see/);
    assert.deepEqual(actionIds({ blocks: blocksOf(view) }), [], 'no second key from the same window');
    const keyMsg = await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the secret');
    assert.equal(keyMsg['response_type'], 'ephemeral');
    const secret = /```(ghk_[^`]+)```/.exec(textOf(keyMsg))?.[1] ?? assert.fail('a secret');
    assert.match(textOf(keyMsg), /keep it as the secret `GATEHOUSE_KEY`/);
    assert.ok(!JSON.stringify(ctx.fake.calls.filter((c) => c.method !== 'response_url')).includes(secret), 'the secret is in no message or view');
    assert.equal(ctx.account.view.users['ci-shop']?.serviceAccount, true);
    assert.ok(ctx.account.can('ci-shop', 'version:create', 'web-platform'));

    // CI runs the two lines (with curl and jq when this machine has them; the same requests otherwise).
    const url = ctx.server.url;
    let versionId: string;
    if (existsSync('/usr/bin/curl') && existsSync('/usr/bin/jq')) {
      const out = await run('bash', ['-euo', 'pipefail', '-c', `${shell}\necho; echo "version=$VERSION_ID"`], { env: { ...process.env, GATEHOUSE_URL: url, GATEHOUSE_KEY: secret }, timeout: 10_000 });
      versionId = /version=(\S+)/.exec(out.stdout)?.[1] ?? assert.fail(out.stdout);
      assert.match(out.stdout, /"ready":false/);
    } else {
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        assert.ok(res.ok, `${path}: ${res.status}`);
        return (await res.json()) as { version?: { id: string } };
      };
      versionId = (await post('/api/v1/versions', { productId: 'shop', version: '1.0.0' })).version?.id ?? assert.fail('no version');
      await post(`/api/v1/versions/${versionId}/approval-requests`, { environmentId: 'production' });
    }
    assert.equal(ctx.account.view.versions[versionId]?.createdBy, 'ci-shop');

    // The approval message appears in the channel chosen in step 1.
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[versionId]?.message, 'the approval message');
    await ctx.settle();
    assert.equal(ref.channel, 'CRELEASES');
    const msg = ctx.fake.channelMessages('CRELEASES')[0] ?? assert.fail('a message in CRELEASES');
    assert.match(textOf(msg), /Approval needed: Web Shop 1\.0\.0/);
    assert.deepEqual(actionIds(msg).sort(), ['version_approve:qa', 'version_approve:security', 'version_reject:qa', 'version_reject:security']);

    // Every step went through the core as the admin: the audit trail has them.
    const trail = (await ctx.account.auditEvents()).filter((e) => e.actor === 'UNEWADMIN').map((e) => e.type);
    for (const t of ['account.settings_changed', 'team.created', 'product.created', 'environment.created', 'rule.created', 'user.added', 'grant.created', 'api_key.created']) assert.ok(trail.includes(t as never), `audited: ${t}`);
    ctx.assertClean();
  });

  it('refused up front for a non-Admin; a refusal inside the walk shows in the modal with the inputs kept; the key can be the admin\'s own', async () => {
    ctx = await setupSlack();
    const views = ctx.fake.views.size;
    assert.match(await ctx.answer('UVERA', 'setup'), /You need `user_role:manage` globally, which none of your roles grants\. Roles that grant it: Admin\./);
    assert.match(await ctx.answer('URITA', 'setup'), /You need `user_role:manage` globally/);
    assert.equal(ctx.fake.views.size, views, 'no modal for who could not finish it');

    const cmd = await ctx.command('UADA', 'setup');
    const id = (await ctx.fake.waitFor(() => ctx.lastView(), 'the setup modal')).id;
    await ctx.submit('UADA', id, { channel: state.channel('CSHIP') });
    await viewShowing(ctx, id, 'Step 2 of 5');
    // Ada loses Admin half-way: the next step is refused by the core, and says why on the form's
    // first input; the modal stays as it was, with what was typed.
    await ctx.answer('UGRACE', `revoke ${at('UADA')} admin`);
    const refused = await ctx.submit('UADA', id, { name: state.text('Mobile'), id: state.text('mobile') });
    assert.equal(answerOf(refused).response_action, 'errors');
    assert.deepEqual(Object.keys(answerOf(refused).errors ?? {}), ['name']);
    assert.match(answerOf(refused).errors?.['name'] ?? '', /^You need "team:manage" globally, which none of your roles grants\./);
    assert.match(textOfView(ctx.fake.views.get(id) ?? assert.fail('the view')), /Step 2 of 5/);
    assert.equal(ctx.account.view.teams['mobile'], undefined);

    await ctx.answer('UGRACE', `assign ${at('UADA')} admin`);
    await ctx.submit('UADA', id, { name: state.text('Mobile'), id: state.text('mobile') });
    await viewShowing(ctx, id, 'Step 3 of 5');
    await ctx.submit('UADA', id, { name: state.text('App'), id: state.text('app') });
    await viewShowing(ctx, id, 'Step 4 of 5');
    const envTaken = await ctx.submit('UADA', id, { name: state.text('production'), id: state.text('') });
    assert.deepEqual(answerOf(envTaken).errors, { id: 'There is an environment with the id production already: pick another id' });
    await ctx.submit('UADA', id, { name: state.text('App store'), id: state.text('app-store') });
    await viewShowing(ctx, id, 'Step 5 of 5');
    await ctx.submit('UADA', id, ruleValues({ product: 1 }, []));
    await viewShowing(ctx, id, 'Gatehouse is set up');

    await ctx.clickInView('UADA', id, 'setup_key:mine');
    const done = await viewShowing(ctx, id, 'Created the API key');
    assert.match(textOfView(done), /owned by you/);
    const secret = /```(ghk_[^`]+)```/.exec(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the secret')))?.[1] ?? assert.fail('a secret');
    const me = await fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(((await me.json()) as { user: { id: string } }).user.id, 'UADA');
    ctx.assertClean();
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkBlocks, checkHome } from './support/block-kit.js';
import type { SlackCtx } from './support/slack-harness.js';
import { MANIFEST, actionIds, at, setupSlack, state, textOf } from './support/slack-harness.js';

type Json = Record<string, unknown>;

/** A version of Checkout created by Dev with approval requested for an environment. */
async function requested(ctx: SlackCtx, version: string, environmentId = 'production'): Promise<string> {
  const { version: v } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version });
  await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: v.id, environmentId });
  return v.id;
}

const idOf = (ctx: SlackCtx, product: string, version: string) => Object.values(ctx.account.view.versions).find((v) => v.productId === product && v.version === version)?.id ?? assert.fail(`no version ${version}`);

describe('Slack: the App Home', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('the manifest enables the Home tab, keeps the Messages tab read-only and subscribes app_home_opened', () => {
    const manifest = readFileSync(MANIFEST, 'utf8');
    assert.match(manifest, /app_home:\n(?:\s+#.*\n)*\s+home_tab_enabled: true\n(?:\s+#.*\n)*\s+messages_tab_enabled: true\n\s+messages_tab_read_only_enabled: true/);
    assert.match(manifest, /bot_events:\n(?:\s+(?:#.*|- \w+)\n)*\s+- app_home_opened\n/);
  });

  it('opening it publishes what waits for the user, their requests and their access; the Messages tab publishes nothing', async () => {
    assert.equal((await ctx.openHome('UQUINN')).status, 200);
    const home = await ctx.home('UQUINN');
    const staging = idOf(ctx, 'checkout', '1.5.0-rc.1');
    const search = idOf(ctx, 'search-api', '3.2.0');
    // Checkout 1.4.0 waits for Security and Operational only: Quinn already gave QA.
    assert.match(home.text, /^Waiting for you \(2\)/);
    assert.ok(!home.text.includes('Checkout 1.4.0'), 'not what Quinn already gave');
    assert.match(home.text, /\*Checkout 1\.5\.0-rc\.1\* → \*staging\*\nYou can give \*QA\*\. Missing: QA: 1 more approval\nrequested by <@UDEV>/);
    assert.match(home.text, /\*Search API 3\.2\.0\* → \*production\*/);
    assert.deepEqual(actionIds({ blocks: home.blocks }), [`version_approve:qa:${staging}`, `version_reject:qa:${staging}`, `version_approve:qa:${search}`, `version_reject:qa:${search}`]);
    assert.match(home.text, /Your requests\n\*Access requests\*\nNone waiting/);
    assert.match(home.text, /Your access\n\*Roles\*\n• \*Global\*: QA/);
    assert.match(home.text, /\*Ending within 7 days\*\nNone of your roles ends within 7 days\./);
    assert.deepEqual(checkHome(ctx.fake.homes.get('UQUINN')?.view), []);

    await ctx.openHome('UQUINN', 'messages');
    await ctx.settle();
    assert.equal(ctx.fake.homes.get('UQUINN')?.published, 1, 'the Messages tab publishes nothing');
    assert.equal(ctx.account.view.users['UNOBODY'], undefined);
    await ctx.openHome('UNOBODY');
    assert.match((await ctx.home('UNOBODY')).text, /Waiting for you \(0\)\n:white_check_mark: Nothing is waiting for your approval\.[\s\S]*You hold no role/);
    assert.equal(ctx.account.view.users['UNOBODY'], undefined, 'opening the Home writes nothing');
    ctx.assertClean();
  });

  it('Approve on the Home decides like the card, and the Homes that listed it are re-published without it', async () => {
    const staging = idOf(ctx, 'checkout', '1.5.0-rc.1');
    await ctx.openHome('UQUINN');
    await ctx.openHome('UGRACE');
    assert.match((await ctx.home('UGRACE')).text, /Checkout 1\.5\.0-rc\.1/, 'an Admin may give QA too');
    const res = await ctx.clickInHome('UQUINN', `version_approve:qa:${staging}`);
    assert.equal(res.status, 200);
    await ctx.settle();
    assert.deepEqual(ctx.account.evaluate({ versionId: staging, environmentId: 'staging' }).requirements[0]?.approvedBy, ['UQUINN']);
    const quinn = await ctx.home('UQUINN');
    assert.match(quinn.text, /^Waiting for you \(1\)/);
    assert.ok(!quinn.text.includes('1.5.0-rc.1'), "gone from the clicker's Home");
    assert.ok(!(await ctx.home('UGRACE')).text.includes('1.5.0-rc.1'), "gone from another approver's Home (it is ready)");
    const card = [...ctx.fake.messages.values()].find((m) => m.text.includes('1.5.0-rc.1'));
    assert.match(textOf(card ?? { blocks: [] }), /Approved: Checkout 1\.5\.0-rc\.1/, 'the card shows it');
    ctx.assertClean();
  });

  it('Reject on the Home opens the reason modal; a click on a stale Home is refused by DM, and the Home is re-published', async () => {
    const search = idOf(ctx, 'search-api', '3.2.0');
    const staging = idOf(ctx, 'checkout', '1.5.0-rc.1');
    await ctx.openHome('USEC');
    await ctx.clickInHome('USEC', `version_reject:security:${search}`);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    await ctx.submit('USEC', view.id, { reason: state.text('leaks tokens') });
    await ctx.settle();
    assert.equal(ctx.account.view.versions[search]?.decisions[0]?.decision, 'reject');
    assert.ok(!(await ctx.home('USEC')).text.includes('Search API 3.2.0'), 'no longer waiting for Security');

    // Quinn's Home as another device still shows it, after Quinn lost QA.
    await ctx.openHome('UQUINN');
    const stale = (await ctx.home('UQUINN')).blocks;
    await ctx.answer('UADA', `revoke ${at('UQUINN')} qa`);
    await ctx.settle();
    assert.match((await ctx.home('UQUINN')).text, /^Waiting for you \(0\)/, 're-published when Quinn lost the role');
    ctx.fake.homes.set('UQUINN', { view: { type: 'home', blocks: stale }, hash: 'old', published: 99 });
    await ctx.clickInHome('UQUINN', `version_approve:qa:${staging}`);
    await ctx.settle();
    const dm = await ctx.fake.waitFor(() => ctx.fake.dmsTo('UQUINN').find((m) => textOf(m).includes('version:approve:qa')), 'the refusal by DM');
    assert.match(textOf(dm), /You need `version:approve:qa` in team Payments/);
    assert.equal(ctx.account.view.versions[staging]?.decisions.length, 0);
    const now = await ctx.home('UQUINN');
    assert.ok(now.published > 99 && /^Waiting for you \(0\)/.test(now.text), 'the Home was re-published after the click');
    ctx.assertClean();
  });

  it('re-published when something of the user changes: a request for their approval, their versions, roles, delegations, access requests; never for those who did not open it', async () => {
    for (const u of ['UQUINN', 'UDEV', 'UVERA', 'UVIC', 'UVAL']) await ctx.openHome(u);
    await ctx.settle();
    const v = await requested(ctx, '4.0.0');
    await ctx.settle();
    assert.match((await ctx.home('UQUINN')).text, /^Waiting for you \(3\)[\s\S]*Checkout 4\.0\.0/, 'a new request for an approval Quinn can give');
    assert.match((await ctx.home('UDEV')).text, /\*Checkout 4\.0\.0\* → \*production\*: missing QA: 1 more approval; Security: 1 more approval; Operational: 1 more approval/, "the creator's own version");

    await ctx.click('USEC', await ctx.fake.waitFor(() => [...ctx.fake.messages.values()].find((m) => m.text.includes('4.0.0') && m.threadTs === null), 'the card'), 'version_reject:security');
    const modal = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    await ctx.submit('USEC', modal.id, { reason: state.text('CVE-1') });
    await ctx.settle();
    assert.match((await ctx.home('UDEV')).text, /Checkout 4\.0\.0\* → \*production\*: missing QA: 1 more approval; Security: rejected by <@USEC>/, 'names, not ids');
    assert.ok(!(await ctx.home('UQUINN')).text.includes('4.0.0'), 'a rejected version waits for nobody');

    await ctx.answer('UADA', `assign ${at('UVERA')} qa payments for 3d`);
    await ctx.settle();
    const vera = (await ctx.home('UVERA')).text;
    assert.match(vera, /\*Payments\*: QA \(until /);
    assert.match(vera, /\*Ending within 7 days\*\n• QA \(Payments, until /);
    assert.match(vera, /Checkout 1\.5\.0-rc\.1/, 'a new role brings what it may approve');

    await ctx.answer('UQUINN', `delegate ${at('UVIC')} qa for 2d`);
    await ctx.settle();
    const vic = (await ctx.home('UVIC')).text;
    assert.match(vic, /<@UQUINN> → you: QA until/);
    assert.match(vic, /You can give \*QA\* \(standing in for <@UQUINN>\)/);

    await ctx.answer('UVAL', 'request sre payments for 8h because incident 42');
    await ctx.settle();
    assert.match((await ctx.home('UVAL')).text, /\*Access requests\*\n• \*SRE\* in team \*Payments\* for \*8h\* — asked /);
    const request = ctx.account.pendingAccessRequests()[0]?.id ?? assert.fail('no request');
    await ctx.account.decideAccessRequest({ userId: 'UADA' }, { requestId: request, approve: true });
    await ctx.settle();
    const val = (await ctx.home('UVAL')).text;
    assert.match(val, /\*Access requests\*\nNone waiting/);
    assert.match(val, /\*Payments\*: SRE \(until /);

    assert.ok(!ctx.fake.homes.has('USAM'), 'Sam never opened the Home: nothing is published for him');
    assert.ok(v);
    ctx.assertClean();
  });

  it('a long list is capped under 100 blocks and says where to see the rest', async () => {
    for (let i = 0; i < 30; i++) await requested(ctx, `5.0.${i}`, 'staging');
    await ctx.openHome('UQUINN');
    const home = await ctx.home('UQUINN');
    assert.match(home.text, /^Waiting for you \(32\)/);
    assert.match(home.text, /…and 12 more waiting, not shown here\. `\/gatehouse approvals` lists them all, 10 a page\./);
    assert.ok(home.blocks.length <= 100);
    assert.deepEqual(checkHome(ctx.fake.homes.get('UQUINN')?.view), []);
    ctx.assertClean();
  });

  it('a workspace without an account gets a Home saying so', async () => {
    await ctx.close();
    ctx = await setupSlack({ seed: false });
    await ctx.openHome('UANY');
    assert.match((await ctx.home('UANY')).text, /has no Gatehouse account yet/);
    ctx.assertClean();
  });
});

describe('Slack: /gatehouse approvals, the waiting list with pages', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('10 a page, overdue first; page buttons replace the list; `approvals 3`, `approvals page 2`; Approve from the list decides; in help', async () => {
    for (let i = 0; i < 23; i++) await requested(ctx, `6.0.${String(i).padStart(2, '0')}`, 'staging');
    const first = await ctx.reply('UQUINN', 'approvals');
    assert.deepEqual(checkBlocks(first.blocks, 'message'), []);
    assert.match(first.text, /^Waiting for you \(25\)/);
    assert.match(first.text, /Page 1 of 3 · overdue first, then the oldest/);
    assert.equal(actionIds({ blocks: first.blocks }).filter((a) => a.startsWith('version_approve:')).length, 10);
    assert.deepEqual(actionIds({ blocks: first.blocks }).filter((a) => a.startsWith('approvals_page')), ['approvals_page:next']);

    const list = { channel: 'CGENERAL', ts: '1.000001', blocks: first.blocks };
    const next = await ctx.click('UQUINN', list, 'approvals_page:next', {}, { ephemeral: true });
    const page2 = await ctx.fake.waitFor(() => ctx.fake.responsesTo(next.responseUrl)[0], 'page 2');
    assert.equal(page2['replace_original'], true, 'the page replaces the list');
    assert.match(textOf(page2), /Page 2 of 3/);
    assert.deepEqual(actionIds({ blocks: page2['blocks'] as Json[] }).filter((a) => a.startsWith('approvals_page')), ['approvals_page:previous', 'approvals_page:next']);

    assert.match((await ctx.answer('UQUINN', 'approvals 3')).trim(), /Page 3 of 3/);
    assert.match(await ctx.answer('UQUINN', 'approvals page 2'), /Page 2 of 3/);
    assert.match(await ctx.answer('UQUINN', 'approvals 99'), /Page 3 of 3/, 'past the end: the last page');
    assert.match(await ctx.answer('UQUINN', 'approvals soon'), /Usage: `\/gatehouse approvals \[page\]`/);
    assert.match(await ctx.answer('UVERA', 'approvals'), /Nothing is waiting for your approval/);

    const target = idOf(ctx, 'checkout', '6.0.00');
    const approve = `version_approve:qa:${target}`;
    assert.ok(actionIds({ blocks: first.blocks }).includes(approve));
    await ctx.click('UQUINN', list, approve, {}, { ephemeral: true });
    await ctx.settle();
    assert.deepEqual(ctx.account.evaluate({ versionId: target, environmentId: 'staging' }).requirements[0]?.approvedBy, ['UQUINN']);
    assert.match(await ctx.answer('UQUINN', 'approvals'), /Waiting for you \(24\)/);
    assert.match(await ctx.answer('UQUINN', 'help'), /`\/gatehouse approvals \[page\]` — what waits for your approval/);
    ctx.assertClean();
  });
});

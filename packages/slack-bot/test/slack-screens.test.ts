import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkModal } from './support/block-kit.js';
import { checkBlocks, checkHome } from './support/block-kit.js';
import type { ModalState } from './support/modal-html.js';
import { homeHtml, messageHtml, modalHtml } from './support/modal-html.js';
import type { SlackCtx } from './support/slack-harness.js';
import { at, setupSlack, state, textOf } from './support/slack-harness.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored, at the repository's root. */
const OUT = fileURLToPath(new URL('../../../../test-artifacts/slack-modals/', import.meta.url));
const HOME_OUT = fileURLToPath(new URL('../../../../test-artifacts/slack-home/', import.meta.url));
const REPLIES_OUT = fileURLToPath(new URL('../../../../test-artifacts/slack-replies/', import.meta.url));

type Json = Record<string, unknown>;

/** Roughly how tall Slack draws the modal (or a wider surface), so the screenshot has little empty space. */
function heightOf(view: Json, charsPerLine = 60, max = 2400): number {
  const blocks = Array.isArray(view['blocks']) ? (view['blocks'] as Json[]) : [];
  let h = 190;
  for (const b of blocks) {
    const el = (b['element'] ?? {}) as Json;
    const lines = Math.ceil(textOf({ blocks: [b] }).length / charsPerLine) + (textOf({ blocks: [b] }).match(/\n/g)?.length ?? 0);
    h += b['type'] === 'input' ? 95 + (Array.isArray(el['options']) && el['type'] === 'checkboxes' ? (el['options'] as unknown[]).length * 30 : 0) + (b['hint'] ? 20 : 0) : 20 + lines * 22;
  }
  return Math.min(Math.max(h, 400), max);
}

/** Writes the view as HTML and screenshots it with headless Chromium; returns the PNG's path. */
async function screenshot(name: string, view: Json, st: ModalState = {}, extraHeight = 0): Promise<string> {
  return shoot(OUT, name, modalHtml(view, st), 600, heightOf(view) + extraHeight);
}

/** Writes the page into `dir` and screenshots it with headless Chromium at that size; returns the PNG's path. */
async function shoot(dir: string, name: string, page: string, width: number, height: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const htmlPath = join(dir, `${name}.html`);
  const png = join(dir, `${name}.png`);
  writeFileSync(htmlPath, page);
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  try {
    await run(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--hide-scrollbars', `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${htmlPath}`],
      { timeout: 60_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return png;
}

/**
 * The setup walk and the rule form, the App Home and `/gatehouse approvals` as a person sees
 * them: each view or message the app sent to the fake Slack, drawn as HTML and screenshotted into
 * test-artifacts/slack-modals/ and test-artifacts/slack-home/ (looked at by eye; the test checks
 * that they were made and that Slack would accept them).
 */
describe('Slack: screenshots of the setup walk, the rule form, the App Home and the approvals list', function () {
  this.timeout(120_000);
  let ctx: SlackCtx;
  before(function () {
    if (!existsSync(CHROMIUM)) this.skip();
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it('renders each step of /gatehouse setup and the rule form', async () => {
    ctx = await setupSlack({ seed: false, env: { GATEHOUSE_BOOTSTRAP_ADMINS: 'UNEWADMIN', GATEHOUSE_DEFAULT_CHANNEL: '' } });
    const views: [string, Json][] = [];
    await ctx.command('UNEWADMIN', 'setup');
    const id = (await ctx.fake.waitFor(() => ctx.lastView(), 'the setup modal')).id;
    const current = () => ctx.fake.views.get(id)?.view ?? {};
    const next = async (step: string) => ctx.fake.waitFor(() => textOf({ blocks: current()['blocks'] }).includes(step) && current(), step);
    views.push(['setup-1-channel', current()]);
    await ctx.submit('UNEWADMIN', id, { channel: state.channel('CRELEASES') });
    views.push(['setup-2-team', await next('Step 2 of 5')]);
    await ctx.submit('UNEWADMIN', id, { name: state.text('Web Platform'), id: state.text('') });
    await next('Step 3 of 5');
    await ctx.submit('UNEWADMIN', id, { name: state.text('Web Shop'), id: state.text('shop') });
    await next('Step 4 of 5');
    await ctx.submit('UNEWADMIN', id, { name: state.text('production'), id: state.text('') });
    views.push(['setup-5-rule', await next('Step 5 of 5')]);
    await ctx.submit('UNEWADMIN', id, { 'quorum:qa': state.select('1'), 'quorum:security': state.select('1'), checks: state.checks(['sod']) });
    views.push(['setup-6-done', await next('Gatehouse is set up')]);
    await ctx.clickInView('UNEWADMIN', id, 'setup_key:service-account');
    views.push(['setup-7-key', await next('Created the API key')]);
    await ctx.command('UNEWADMIN', 'rule set production shop');
    views.push(['rule-editor', await ctx.fake.waitFor(() => ctx.lastView()?.id !== id && ctx.lastView()?.view, 'the rule form')]);

    for (const [name, view] of views) {
      assert.deepEqual(checkModal(view), [], name);
      const png = await screenshot(name, view);
      assert.ok(statSync(png).size > 10_000, `${png} has a picture in it`);
    }
    ctx.assertClean();
  });

  it('renders a refusal on its field, the `requests` list before and after a decision, and a picker of 124 teams while typing', async () => {
    ctx = await setupSlack();
    const ada = { userId: 'UADA' };
    await ctx.account.assignRole(ada, { subject: { type: 'user', id: 'USTEVE' }, roleId: 'admin', teamId: 'payments' });
    const steve = await ctx.openModal('USTEVE', 'assign');
    const assign = { user: state.user('UDUC'), role: state.select('admin'), team: state.select('payments'), expiry: state.select('0') };
    const refused = JSON.parse((await ctx.submit('USTEVE', steve.view.id, assign)).text) as { errors: Record<string, string> };
    const self = await ctx.openModal('UADA', 'assign');
    const selfRefused = JSON.parse((await ctx.submit('UADA', self.view.id, { ...assign, user: state.user('UADA'), role: state.select('qa') })).text) as { errors: Record<string, string> };

    await ctx.answer('UVERA', 'request qa payments for 1d because regression testing');
    await ctx.answer('UDIEGO', 'request sre payments for 8h because incident 4711, need to roll back');
    await ctx.settle();
    const vera = ctx.account.pendingAccessRequests()[0] ?? assert.fail('a request');
    const cmd = await ctx.command('UADA', 'requests');
    const list = await ctx.fake.waitFor(() => ctx.fake.responseMessageOf(cmd.responseUrl), 'the list');
    const before = { blocks: list.blocks };
    await ctx.clickEphemeral('UADA', list, `access_approve:${vera.id}`);
    await ctx.fake.waitFor(() => list.history.length === 1, 'the list redrawn');

    for (let i = 1; i <= 120; i++) await ctx.account.createTeam(ada, { teamId: `team-${i}`, name: `Team ${i}` });
    const many = await ctx.openModal('UADA', 'assign');
    const typed = await ctx.suggest('UADA', many.view.id, 'team', 'team 11');
    const opened = await ctx.suggest('UADA', many.view.id, 'team', '');

    const shots = [
      await screenshot('assign-refused-escalation', steve.view.view, { errors: refused.errors }),
      await screenshot('assign-refused-self', self.view.view, { errors: selfRefused.errors }),
      await shoot(OUT, 'requests-list-before', messageHtml(before, true), 900, heightOf(before, 95)),
      await shoot(OUT, 'requests-list-after-approve', messageHtml({ blocks: list.blocks }, true), 900, heightOf({ blocks: list.blocks }, 95)),
      await screenshot('assign-teams-typed', many.view.view, { open: { blockId: 'team', typed: 'team 11', options: typed.shown } }, 300),
      await screenshot('assign-teams-opened', many.view.view, { open: { blockId: 'team', typed: '', options: opened.shown.slice(0, 12) } }, 300),
    ];
    for (const png of shots) assert.ok(statSync(png).size > 10_000, `${png} has a picture in it`);
    ctx.assertClean();
  });

  it("renders Dana's Home (overdue approvals, one on behalf of Quinn, her version, her request, a role ending soon) and Quinn's approvals list", async () => {
    ctx = await setupSlack();
    const H = 3_600_000;
    const rule = Object.values(ctx.account.view.rules).find((r) => r.environmentId === 'production' && r.productId === null) ?? assert.fail('no production rule');
    await ctx.account.updateRule({ userId: 'UADA' }, { ruleId: rule.id, policy: { remindAfterMs: H, remindEveryMs: 4 * H, timeoutAfterMs: 48 * H, timeoutOutcome: 'expire' } });
    await ctx.account.createVersion({ userId: 'UDANA' }, { productId: 'checkout', version: '2.3.0' }).then(({ version }) => ctx.account.requestApproval({ userId: 'UDANA' }, { versionId: version.id, environmentId: 'production' }));
    for (let i = 1; i <= 12; i++) {
      const { version } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: `2.4.${i}` });
      await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: version.id, environmentId: i % 3 ? 'staging' : 'production' });
    }
    ctx.clock.advance(2 * H);
    await ctx.gatehouse.runFollowUps();
    await ctx.answer('UQUINN', `delegate ${at('UDANA')} qa for 5d`);
    await ctx.answer('UADA', `assign ${at('UDANA')} release_manager payments for 2d`);
    await ctx.answer('UDANA', 'request security payments for 8h because reviewing the payment SDK upgrade');
    await ctx.settle();
    await ctx.openHome('UDANA');
    await ctx.home('UDANA', (h) => h.text.includes('Ending within 7 days'));
    const home = ctx.fake.homes.get('UDANA')?.view ?? assert.fail('no Home');
    assert.deepEqual(checkHome(home), []);
    const list = await ctx.reply('UQUINN', 'approvals');
    assert.deepEqual(checkBlocks(list.blocks, 'message'), []);

    const shots = [
      await shoot(HOME_OUT, 'home-dana', homeHtml(home), 900, heightOf(home, 95, 6000)),
      await shoot(HOME_OUT, 'approvals-quinn-page-1', messageHtml({ blocks: list.blocks }, true), 900, heightOf({ blocks: list.blocks }, 95)),
    ];
    for (const png of shots) assert.ok(statSync(png).size > 10_000, `${png} has a picture in it`);
    ctx.assertClean();
  });

  it('renders the replies of issue 12: a rejected card CI created, a deployed card, refusals, a repeated and an extended assign, a role-change DM among many grants', async () => {
    ctx = await setupSlack();
    const pages: [string, Json, boolean][] = [];
    const { version } = await ctx.account.createVersion({ userId: 'UCI' }, { productId: 'checkout', version: '3.0.0' });
    await ctx.account.requestApproval({ userId: 'UCI' }, { versionId: version.id, environmentId: 'production' });
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[version.id]?.message, 'the card');
    await ctx.settle();
    const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('no card');
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.click('USEC', msg, 'version_reject:security');
    const reject = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    await ctx.submit('USEC', reject.id, { reason: state.text('CVE-2026-4242 in the payment SDK') });
    await ctx.settle();
    pages.push(['card-rejected', { blocks: msg.blocks }, false]);
    const { version: shipped } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '3.0.1' });
    await ctx.account.requestApproval({ userId: 'UDEV' }, { versionId: shipped.id, environmentId: 'staging' });
    const shippedRef = await ctx.fake.waitFor(() => ctx.account.view.versions[shipped.id]?.message, 'the second card');
    await ctx.settle();
    const shippedMsg = ctx.fake.messages.get(`${shippedRef.channel}/${shippedRef.ts}`) ?? assert.fail('no card');
    await ctx.click('UQUINN', shippedMsg, 'version_approve:qa');
    await ctx.settle();
    await ctx.answer('UDEV', `deploy ${shipped.id} staging`);
    await ctx.settle();
    pages.push(['card-deployed', { blocks: shippedMsg.blocks }, false]);
    const said = async (userId: string, text: string) => ({ blocks: (await ctx.reply(userId, text)).blocks });
    pages.push(['refusal-self-change', await said('UADA', `assign ${at('UADA')} qa payments`), true]);
    pages.push(['refusal-duration', await said('UADA', `assign ${at('UVERA')} qa payments for 400d`), true]);
    pages.push(['assign-first', await said('UADA', `assign ${at('UVERA')} qa payments for 2d`), true]);
    ctx.clock.advance(30_000);
    pages.push(['assign-repeated', await said('UADA', `assign ${at('UVERA')} qa payments for 2d`), true]);
    ctx.clock.advance(86_400_000);
    pages.push(['assign-extended', await said('UADA', `assign ${at('UVERA')} qa payments for 2d`), true]);
    for (let i = 1; i <= 31; i++) {
      const teamId = `t${String(i).padStart(2, '0')}`;
      await ctx.account.createTeam({ userId: 'UADA' }, { teamId, name: `Team ${i} of the long-named platform organisation units` });
      await ctx.account.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'UVAL' }, roleId: 'release_manager', teamId });
    }
    await ctx.answer('UADA', `assign ${at('UVAL')} qa payments`);
    await ctx.settle();
    const dm = ctx.fake.dmsTo('UVAL').at(-1) ?? assert.fail('no DM');
    pages.push(['dm-role-change-many', { blocks: dm.blocks }, false]);
    for (const [name, page, ephemeral] of pages) {
      assert.deepEqual(checkBlocks(page['blocks'], 'message'), [], name);
      const png = await shoot(REPLIES_OUT, name, messageHtml(page, ephemeral), 900, heightOf(page, 95, 3000));
      assert.ok(statSync(png).size > 10_000, `${png} has a picture in it`);
    }
    ctx.assertClean();
  });
});

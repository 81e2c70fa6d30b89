import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createVSIX } from '@vscode/vsce';
import { join } from 'node:path';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';
import { DELEGATION_MS, PRODUCTION_POLICY, SEEDED_AGO_MS } from '../support/host-fixture.js';
import type { Locator, Page } from 'playwright-core';
import type { CodeServer } from '../support/vscode-host.js';
import { EXT_DIR, missingPrerequisites, openWorkbench, startCodeServer, within } from '../support/vscode-host.js';

const SUITE_PREFIX = '[gatehouse-suite] ';

interface Row {
  level: number;
  label: string;
  description: string;
}

/** The rendered rows of one view (the tree is virtualised: what is on screen). */
async function rowsOf(pane: Locator): Promise<Row[]> {
  const out: Row[] = [];
  for (const row of await pane.locator('.monaco-list-row').all()) {
    const desc = row.locator('.label-description');
    out.push({
      level: Number(await row.getAttribute('aria-level')),
      label: ((await row.locator('.label-name').first().textContent()) ?? '').trim(),
      description: (await desc.count()) ? ((await desc.first().textContent()) ?? '').trim() : '',
    });
  }
  return out;
}

const show = (rows: Row[]) => rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label}${r.description ? ` — ${r.description}` : ''}`).join('\n');

function pane(page: Page, title: string): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
}

/** Answers the two input boxes of "Sign in": server URL, then the key (a password box). */
async function signInThroughUi(page: Page, serverUrl: string, key: string): Promise<void> {
  await pane(page, 'My Access').locator('.welcome-view-content a.monaco-button', { hasText: 'Sign in' }).click();
  const url = page.locator('.quick-input-widget .quick-input-box input[type="text"]');
  await url.waitFor({ state: 'visible' });
  await url.fill(serverUrl);
  await url.press('Enter');
  const secret = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
  await secret.waitFor({ state: 'visible' });
  await secret.fill(key);
  await secret.press('Enter');
}
const ARTIFACTS = join(EXT_DIR, '..', '..', 'test-artifacts', 'vscode-ext');

/**
 * Reminders and a time-out on production, and Sec's delegation of Security to Quinn: what the
 * suite sets up through REST, ensured here too so the UI test also runs on its own (--grep).
 */
async function followUpAndDelegation(demo: DemoServer): Promise<void> {
  const rule = Object.values(demo.account.view.rules).find((r) => r.environmentId === 'production' && r.productId === null);
  assert.ok(rule, 'the demo has a rule for production');
  if (!rule.policy) await demo.account.updateRule({ userId: 'UADA' }, { ruleId: rule.id, policy: PRODUCTION_POLICY });
  if (!demo.account.delegationsOf('USEC').length) await demo.account.delegate({ userId: 'USEC' }, { delegateId: 'UQUINN', types: ['security'], until: Date.now() + DELEGATION_MS });
}

describe('vscode-ext in a real VS Code (code-server + Chromium)', function () {
  this.timeout(120_000);
  let demo: DemoServer;
  let cs: CodeServer;
  let vsix: string;

  before(async function () {
    const missing = missingPrerequisites();
    // Never a silent skip: without the host these tests fail and say how to install it.
    if (missing.length) assert.fail(`cannot run VS Code here:\n  - ${missing.join('\n  - ')}`);
    // Seeded 3 h ago: with the production policy, its versions are overdue (see host-fixture.ts).
    demo = await startDemoServer({ seededAgoMs: SEEDED_AGO_MS });
    // The packaged extension, built as `npm run package` does, installed as a user would.
    mkdirSync(ARTIFACTS, { recursive: true });
    vsix = join(ARTIFACTS, 'gatehouse-vscode.vsix');
    await createVSIX({ cwd: EXT_DIR, packagePath: vsix, dependencies: false, skipLicense: true, allowMissingRepository: true });
    cs = await startCodeServer({
      vsix,
      env: {
        GATEHOUSE_TEST_SERVER_URL: demo.url,
        GATEHOUSE_TEST_KEY_QA: demo.key('UQUINN'),
        GATEHOUSE_TEST_KEY_ADMIN: demo.key('UADA'),
        GATEHOUSE_TEST_KEY_SEC: demo.key('USEC'),
      },
    });
  });

  after(async () => {
    await cs?.stop();
    await demo?.close();
  });

  it('runs the extension-host suite: sign-in, My access, Pending approvals, approve/reject, follow-up and delegation, bad key, stale data', async () => {
    const t0 = Date.now();
    const wb = await openWorkbench(cs, { dev: true, tests: true, profile: 'suite' });
    try {
      const code = await within(wb.exit, 90_000, -1);
      const report = wb.log
        .filter((l) => l.includes(SUITE_PREFIX))
        .map((l) => l.slice(l.indexOf(SUITE_PREFIX) + SUITE_PREFIX.length))
        .join('\n');
      console.log(report.replace(/^/gm, '      │ '));
      console.log(`      │ (extension-host suite: ${Date.now() - t0} ms including the workbench start)`);
      if (code === -1) assert.fail(`the extension-host suite did not finish within 90 s. Workbench log (last 40 lines):\n${wb.log.slice(-40).join('\n')}\ncode-server:\n${cs.output().slice(-3000)}`);
      assert.equal(code, 0, `the extension-host suite failed:\n${report || wb.log.slice(-60).join('\n')}`);
      assert.match(report, /\d+ passing/);
      assert.doesNotMatch(report, /\d+ (failing|pending)/);
    } finally {
      await wb.close();
    }
    // What the suite did, seen from the server.
    const decisions = Object.values(demo.account.view.versions).flatMap((v) => v.decisions.filter((d) => d.approverId === 'UQUINN').map((d) => `${v.version} ${d.type} ${d.decision}`));
    assert.ok(decisions.includes('3.2.0 qa approve'), decisions.join(', '));
    assert.ok(decisions.includes('1.5.0-rc.1 qa reject'), decisions.join(', '));
    assert.ok(!readFileSync(cs.userSettingsFile, 'utf8').includes(demo.key('UQUINN')), 'the key never lands in settings.json');
  });

  it('UI, with the .vsix installed: the Gatehouse container — welcome, a refused key, the trees (overdue, delegation), Approve and Reject from the rows', async () => {
    await followUpAndDelegation(demo);
    const wb = await openWorkbench(cs, { dev: false, tests: false, profile: 'ui' });
    const { page } = wb;
    try {
      await page.locator('.activitybar .action-item a[aria-label^="Gatehouse"]').click({ timeout: 60_000 });
      const access = pane(page, 'My Access');
      const approvals = pane(page, 'Pending Approvals');
      await access.locator('.welcome-view-content', { hasText: 'Sign in to Gatehouse' }).waitFor();
      assert.equal(await approvals.locator('.welcome-view-content a.monaco-button', { hasText: 'Sign in' }).count(), 1, 'welcome with Sign in in both views');
      // A wider side bar for readable screenshots.
      const side = await page.locator('.part.sidebar').boundingBox();
      if (side) {
        const y = side.y + side.height / 2;
        await page.mouse.move(side.x + side.width + 2, y);
        await page.mouse.down();
        await page.mouse.move(side.x + side.width + 240, y, { steps: 8 });
        await page.mouse.up();
      }

      // A bad key: refused, reported (with the smoke-test driver on, VS Code keeps notifications in the centre, no toasts).
      await signInThroughUi(page, demo.url, 'not-a-gatehouse-key');
      await page.locator('.statusbar [id="status.notifications"]').first().click();
      const refused = page.locator('.notifications-center .notification-list-item', { hasText: 'Gatehouse refused the key' });
      await refused.waitFor();
      await page.screenshot({ path: join(ARTIFACTS, '1-bad-key.png') });
      await page.keyboard.press('Escape');
      assert.equal(await access.locator('.welcome-view-content', { hasText: 'Sign in to Gatehouse' }).count(), 1, 'still signed out');

      // Sec (Security) signs in: the trees fill.
      await signInThroughUi(page, demo.url, demo.key('USEC'));
      await access.locator('.monaco-list-row', { hasText: 'Acme SaaS (demo)' }).waitFor();
      await approvals.locator('.monaco-list-row', { hasText: '3.2.0 → production' }).waitFor();
      const mine = await rowsOf(access);
      const pending = await rowsOf(approvals);
      console.log(`      │ My access (visible rows):\n${show(mine).replace(/^/gm, '      │   ')}\n      │ Pending approvals:\n${show(pending).replace(/^/gm, '      │   ')}`);
      assert.deepEqual(mine.slice(0, 3), [
        { level: 1, label: 'Acme SaaS (demo)', description: 'Sec (Security)' },
        { level: 2, label: 'Global', description: mine[1]!.description },
        { level: 3, label: 'Security', description: 'direct' },
      ]);
      assert.match(mine[1]!.description, /^Security · \d+ permissions$/);
      assert.ok(mine.some((r) => r.label === 'version' && /approve:security/.test(r.description)), 'permissions grouped by resource');
      assert.deepEqual(
        pending.filter((r) => r.level <= 2).map((r) => r.label),
        ['Checkout', '1.4.0 → production', 'Search API', '3.2.0 → production'],
      );
      assert.ok(pending.some((r) => r.label === 'Security' && /you can give it/.test(r.description)));
      const status = page.locator('.statusbar-item', { hasText: 'Security' });
      assert.match(await status.innerText(), /Security\s*2/, 'status bar: primary role and pending count');
      const overdue = pending.find((r) => r.label === '3.2.0 → production');
      assert.match(overdue?.description ?? '', /^overdue · waiting 3 h · times out in 5 h · 1\/3 done · by Eli/, 'the overdue marker and the time-out, first');
      assert.equal(await approvals.locator('.monaco-list-row', { hasText: '3.2.0 → production' }).locator('.codicon-warning').count(), 1, 'the overdue icon');
      await page.screenshot({ path: join(ARTIFACTS, '2-signed-in.png') });

      // The delegation follows the account in My access: fold the account to see it.
      await access.locator('.monaco-list-row', { hasText: 'Acme SaaS (demo)' }).locator('.monaco-tl-twistie').click();
      await access.locator('.monaco-list-row', { hasText: 'You → Quinn (QA)' }).waitFor();
      const folded = await rowsOf(access);
      console.log(`      │ My access, account folded:\n${show(folded).replace(/^/gm, '      │   ')}`);
      assert.deepEqual(
        folded.slice(1).map((r) => `${r.level} ${r.label} — ${r.description.replace(/until .*/, 'until …')}`),
        ['1 Delegations — 1 given', '2 You → Quinn (QA) — Security until …'],
      );
      await page.screenshot({ path: join(ARTIFACTS, '2b-delegation.png') });

      // Approve from the row's inline action: the version leaves the list, the server has the approval.
      const v320 = approvals.locator('.monaco-list-row', { hasText: '3.2.0 → production' });
      await v320.hover();
      await v320.locator('.actions .action-label[aria-label="Approve"]').click();
      await v320.waitFor({ state: 'detached' });
      const id320 = Object.values(demo.account.view.versions).find((v) => v.version === '3.2.0')!.id;
      assert.ok(demo.account.view.versions[id320]!.decisions.some((d) => d.approverId === 'USEC' && d.type === 'security' && d.decision === 'approve'));

      // Reject asks for a reason in an input box.
      const v140 = approvals.locator('.monaco-list-row', { hasText: '1.4.0 → production' });
      await v140.hover();
      await v140.locator('.actions .action-label[aria-label="Reject…"]').click();
      const reason = page.locator('.quick-input-widget .quick-input-box input');
      await reason.waitFor({ state: 'visible' });
      await reason.fill('pen test still open');
      await reason.press('Enter');
      await approvals.locator('.monaco-list-row', { hasText: 'rejected by Sec (Security)' }).waitFor();
      const id140 = Object.values(demo.account.view.versions).find((v) => v.version === '1.4.0')!.id;
      assert.ok(demo.account.view.versions[id140]!.decisions.some((d) => d.approverId === 'USEC' && d.decision === 'reject' && d.reason === 'pen test still open'));
      await page.screenshot({ path: join(ARTIFACTS, '3-after-decisions.png') });
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, 'failure.png') }).catch(() => undefined);
      throw e;
    } finally {
      await wb.close();
    }
  });
});

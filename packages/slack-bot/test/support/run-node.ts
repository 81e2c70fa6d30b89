/**
 * Runs the built CLI (`dist/src/cli.js`), server (`dist/src/main.js`) or the GitHub Action's bundle
 * as a child process, the way an operator (or the runner) does, and collects its exit code, stdout
 * and stderr. The child gets a clean environment: none of the parent's GATEHOUSE_*, SLACK_*, PORT,
 * HOST, LOG_LEVEL, or an Action's INPUT_*, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY leaks in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = {
  cli: fileURLToPath(new URL('../../src/cli.js', import.meta.url)),
  main: fileURLToPath(new URL('../../src/main.js', import.meta.url)),
  /** The GitHub Action's committed bundle (action.yml `runs.main`), not the build in dist. */
  action: fileURLToPath(new URL('../../../action-dist/index.cjs', import.meta.url)),
} as const;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The parent's environment without anything that configures Gatehouse (or the Action, when the tests run in a workflow). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GATEHOUSE_|SLACK_|PORT$|HOST$|LOG_LEVEL$|INPUT_|GITHUB_OUTPUT$|GITHUB_STEP_SUMMARY$)/.test(k)));
  return { ...inherited, ...extra };
}

export function runNode(script: keyof typeof SCRIPTS, args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPTS[script], ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A server that did not stop by itself is a failure the test reports, not a hang.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix = 'gatehouse-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A mocha test body run with a fresh fixture from `make`, cleaned up however the body ends. */
export function using<T extends { cleanup: () => void }>(make: () => T, body: (t: T) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const t = make();
    try {
      await body(t);
    } finally {
      t.cleanup();
    }
  };
}

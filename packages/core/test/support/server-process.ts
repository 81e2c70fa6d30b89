/** What the servers the tests start have in common: a free port, a start that waits until it serves, a stop. */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A loopback port that was free a moment ago (the kernel picks it for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Ends a server: `signal` first, SIGKILL if it is still running 5 s later. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await waitExit(child, 5_000))) {
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }
}

export interface LaunchOptions {
  /** For messages: `redis-server`, `postgres`. */
  name: string;
  cmd: string;
  args: string[];
  cwd: string;
  port: number;
  /** Run as this user (the server refuses root). */
  user?: { uid: number; gid: number } | null;
  /** True once the server serves. */
  ready: () => Promise<boolean>;
  /** For the timeout message: `answer PING`. */
  readyWhat: string;
  timeoutMs: number;
  /** How to stop a server that never became ready. */
  stopSignal?: NodeJS.Signals;
}

/** Starts a server; resolves when `ready()` says so, rejects if it exits or stays silent for `timeoutMs`. */
export async function launchServer(o: LaunchOptions): Promise<ChildProcess> {
  const child = spawn(o.cmd, o.args, { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(o.user ?? {}) });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const spawnErrors: Error[] = [];
  child.once('error', (err) => spawnErrors.push(err));
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    if (spawnErrors[0]) throw new Error(`${o.name} could not start: ${spawnErrors[0].message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${o.name} exited (${child.exitCode ?? child.signalCode}) on port ${o.port}:\n${output}`);
    if (await o.ready()) return child;
    await sleep(50);
  }
  await stopProcess(child, o.stopSignal);
  throw new Error(`${o.name} on port ${o.port} did not ${o.readyWhat} within ${o.timeoutMs / 1000} s:\n${output}`);
}

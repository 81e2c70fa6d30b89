import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KeyvLogStore } from '../../src/index.js';
import { openStore } from '../../src/index.js';
import { freePort, launchServer, stopProcess } from './server-process.js';

/** A Redis for one test file: its URL, a fresh keyv namespace per test, and how to clean up. */
export interface TestRedis {
  readonly url: string;
  /** True when the server was started here (false: GATEHOUSE_TEST_REDIS_URL). */
  readonly owned: boolean;
  /** A namespace no other test (or earlier run) uses; dropped by `stop()`. */
  namespace(label: string): string;
  /**
   * What a Redis without persistence does when it restarts: every key is gone. The server started
   * here is killed with SIGKILL and started again, empty, on the same port; on someone else's
   * Redis (GATEHOUSE_TEST_REDIS_URL) only the keys of `namespace` are deleted.
   */
  loseData(namespace: string): Promise<void>;
  /** Deletes every key of the namespaces handed out, then stops the server if it was started here. */
  stop(): Promise<void>;
}

export const NOT_FOUND =
  'redis-server not found: install it with `sudo apt-get install -y redis-server` or set GATEHOUSE_TEST_REDIS_URL';

function onPath(cmd: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** One raw `PING` over TCP; true when the server answers `+PONG`. No client library needed. */
export async function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

/**
 * Starts redis-server on `port` in `dir`; resolves when it answers PING, rejects if it exits or
 * stays silent. With `appendonly`, the settings README asks for (appendonly yes, appendfsync
 * always): a server killed with SIGKILL and started again on the same `dir` has every acknowledged write.
 */
async function launch(port: number, dir: string, appendonly = false): Promise<ChildProcess> {
  const persistence = appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--save', '', ...persistence, '--bind', '127.0.0.1', '--port', String(port), '--dir', dir];
  return launchServer({ name: 'redis-server', cmd: 'redis-server', args, cwd: dir, port, ready: () => ping(port), readyWhat: 'answer PING', timeoutMs: 10_000 });
}

/**
 * A real Redis: GATEHOUSE_TEST_REDIS_URL if set, otherwise a private `redis-server` on a free
 * loopback port with persistence off, in a temporary directory. Missing redis-server is an
 * error, never a skip: these tests are the only evidence that cross-process writes are safe.
 */
export async function startRedis(): Promise<TestRedis> {
  const given = process.env['GATEHOUSE_TEST_REDIS_URL'];
  if (!given) return startOwnRedis();
  const { namespace, clear, handedOut } = namespaces();
  return {
    url: given,
    owned: false,
    namespace,
    loseData: (ns) => clear(given, ns),
    // Someone else's Redis: delete only what these tests wrote.
    stop: async () => {
      for (const ns of handedOut.splice(0)) await clear(given, ns);
    },
  };
}

/** A Redis started here, which a test may also take down and bring back. */
export interface OwnRedis extends TestRedis {
  /** Kills the server (SIGKILL), as a crash or an outage would; clients see connections refused. */
  kill(): Promise<void>;
  /** Starts the killed server again on the same port and directory (with `appendonly`, with every acknowledged write); nothing if it runs. */
  restart(): Promise<void>;
  /** Stops the server process (SIGSTOP): connections stay open, nothing is answered, as on a hung host. */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void;
}

/**
 * A private `redis-server` on a free loopback port in a temporary directory, whatever
 * GATEHOUSE_TEST_REDIS_URL says (for tests that stop the server). `appendonly` keeps the data
 * across `kill` and `restart`; without it (the default) persistence is off.
 */
export async function startOwnRedis(opts: { appendonly?: boolean } = {}): Promise<OwnRedis> {
  if (!onPath('redis-server')) throw new Error(NOT_FOUND);
  const { namespace } = namespaces();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  let lastError: unknown = null;
  // The free port may be taken between closing the probe and redis binding it: try a few.
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, opts.appendonly);
    } catch (err) {
      lastError = err;
    }
  }
  if (!child) {
    await rm(dir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }
  let server = child;
  // If the test process ends without reaching stop() (an interrupted run), take the server along.
  const onExit = () => {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const kill = () => stopProcess(server, 'SIGKILL');
  const restart = async () => {
    if (server.exitCode === null && server.signalCode === null) return;
    server = await launch(port, dir, opts.appendonly);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    owned: true,
    namespace,
    kill,
    restart,
    freeze: () => void server.kill('SIGSTOP'),
    thaw: () => void server.kill('SIGCONT'),
    loseData: async () => {
      if (opts.appendonly) throw new Error('this Redis keeps its data across restarts (appendonly): start one without appendonly to lose it');
      await kill();
      await restart();
    },
    stop: async () => {
      process.removeListener('exit', onExit);
      // A frozen server would ignore SIGTERM.
      server.kill('SIGCONT');
      await stopProcess(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Namespaces no other test (or earlier run) uses, and how to delete the keys of one. */
function namespaces() {
  const run = randomBytes(4).toString('hex');
  const handedOut: string[] = [];
  const namespace = (label: string) => {
    const ns = `gh-test-${run}-${label}-${handedOut.length}`;
    handedOut.push(ns);
    return ns;
  };
  /** Deletes every key of `ns` through keyv. */
  const clear = async (url: string, ns: string) => {
    const store = (await openStore({ url, namespace: ns })) as KeyvLogStore;
    try {
      await store.keyv.clear();
    } finally {
      await store.close();
    }
  };
  return { namespace, clear, handedOut };
}

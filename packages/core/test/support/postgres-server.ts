import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';
import { freePort, launchServer, stopProcess } from './server-process.js';

/** A PostgreSQL for one test file: its URL, a fresh namespace (table prefix) per test, and how to clean up. */
export interface TestPostgres {
  readonly url: string;
  /** True when the server was started here (false: GATEHOUSE_TEST_POSTGRES_URL). */
  readonly owned: boolean;
  /** A namespace no other test (or earlier run) uses; its tables are dropped by `stop()`. */
  namespace(label: string): string;
  /** Runs SQL as the test's database user (to do what a bug, an operator or a restore might). */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Drops the tables of the namespaces handed out, then stops the server if it was started here. */
  stop(): Promise<void>;
}

export const NOT_FOUND =
  'PostgreSQL server not found (no initdb on PATH or in /usr/lib/postgresql/*/bin): install it with `sudo apt-get install -y postgresql` or set GATEHOUSE_TEST_POSTGRES_URL';

/** The directory holding initdb and postgres: PATH first, then Debian's versioned directories, newest first. */
function binDir(): string | null {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) if (d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'))) return d;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * initdb and postgres refuse to run as root. As root, run them as Debian's `postgres` user if it
 * exists, else `nobody`; otherwise as whoever runs the tests.
 */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const row = passwd.find((f) => f[0] === name);
    if (row) return { uid: Number(row[2]), gid: Number(row[3]) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

/** Runs a command to its end as `user`; rejects with its output if it fails. */
async function run(cmd: string, args: string[], user: { uid: number; gid: number } | null, cwd: string): Promise<void> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`${cmd} exited ${code}:\n${output}`);
}

/** One `SELECT 1`; true when the server accepts the connection. */
async function ready(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts postgres on `port`; resolves when it accepts connections, rejects if it exits or stays silent. */
async function launch(bin: string, dir: string, port: number, url: string, user: { uid: number; gid: number } | null): Promise<ChildProcess> {
  const args = ['-D', join(dir, 'data'), '-p', String(port), '-k', join(dir, 'socket'), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  return launchServer({ name: 'postgres', cmd: join(bin, 'postgres'), args, cwd: dir, port, user, ready: () => ready(url), readyWhat: 'accept connections', timeoutMs: 20_000, stopSignal: 'SIGINT' });
}

/** Runs one statement on its own connection. */
async function query(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A real PostgreSQL: GATEHOUSE_TEST_POSTGRES_URL if set, otherwise a private cluster (see
 * `startOwnPostgres`). Missing binaries are an error, never a skip: these tests are the only
 * evidence that the PostgreSQL store is safe.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const given = process.env['GATEHOUSE_TEST_POSTGRES_URL'];
  if (!given) return startOwnPostgres();
  const { namespace, dropAll } = namespaces();
  return { url: given, owned: false, namespace, sql: (t, p) => query(given, t, p), stop: () => dropAll(given) };
}

/** A PostgreSQL started here, which a test may also take down and bring back. */
export interface OwnPostgres extends TestPostgres {
  /** Stops the server at once (SIGQUIT: what `pg_ctl stop -m immediate` sends), as a crash or an outage would. */
  kill(): Promise<void>;
  /** Starts the stopped server again on the same port and data directory (it recovers every committed transaction); nothing if it runs. */
  restart(): Promise<void>;
}

/**
 * A private cluster made by initdb in a temporary directory and served by postgres on a free
 * loopback port, with password authentication (so the URL's `user:password@` is exercised),
 * whatever GATEHOUSE_TEST_POSTGRES_URL says (for tests that stop the server).
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  if (!bin) throw new Error(NOT_FOUND);
  const { namespace } = namespaces();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-postgres-'));
  try {
    await mkdir(join(dir, 'socket'));
    const password = randomBytes(12).toString('hex');
    await writeFile(join(dir, 'pwfile'), `${password}\n`);
    if (user) for (const p of [dir, join(dir, 'socket'), join(dir, 'pwfile')]) await chown(p, user.uid, user.gid);
    await chmod(dir, 0o700);
    await run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'gatehouse', '--pwfile', join(dir, 'pwfile'), '--auth-host=scram-sha-256', '--auth-local=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], user, dir);
    let child: ChildProcess | null = null;
    let port = 0;
    let url = '';
    let lastError: unknown = null;
    // The free port may be taken between closing the probe and postgres binding it: try a few.
    for (let attempt = 0; attempt < 3 && !child; attempt++) {
      port = await freePort();
      url = `postgres://gatehouse:${password}@127.0.0.1:${port}/postgres`;
      try {
        child = await launch(bin, dir, port, url, user);
      } catch (err) {
        lastError = err;
      }
    }
    if (!child) throw lastError instanceof Error ? lastError : new Error(String(lastError));
    let server = child;
    // If the test process ends without reaching stop(), take the server along (SIGQUIT: immediate shutdown, children included).
    const onExit = () => {
      server.kill('SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    const serverUrl = url;
    return {
      url: serverUrl,
      owned: true,
      namespace,
      sql: (t, p) => query(serverUrl, t, p),
      kill: () => stopProcess(server, 'SIGQUIT'),
      restart: async () => {
        if (server.exitCode !== null || server.signalCode !== null) server = await launch(bin, dir, port, serverUrl, user);
      },
      stop: async () => {
        process.removeListener('exit', onExit);
        // SIGINT: fast shutdown, which disconnects clients instead of waiting for them.
        await stopProcess(server, 'SIGINT');
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Namespaces (table prefixes) no other test (or earlier run) uses, and how to drop their tables. */
function namespaces() {
  const run8 = randomBytes(4).toString('hex');
  const handedOut: string[] = [];
  const namespace = (label: string) => {
    const ns = `gh_${run8}_${handedOut.length}_${label}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40);
    handedOut.push(ns);
    return ns;
  };
  const dropAll = async (url: string) => {
    for (const ns of handedOut.splice(0)) {
      for (const t of ['commits', 'heads', 'snapshots', 'meta', 'claims']) await query(url, `DROP TABLE IF EXISTS "${ns}_${t}"`);
    }
  };
  return { namespace, dropAll };
}

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import pg from 'pg';
import type { startPostgres as StartPostgres } from '../../core/dist/test/support/postgres-server.js';
import type { startRedis as StartRedis } from '../../core/dist/test/support/redis-server.js';

/** A store the storage part measures: where it is, its limit, its size, how to take it down. */
export interface Backend {
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  readonly name: string;
  /** For Gatehouse.open. */
  readonly url: string;
  readonly namespace: string;
  /** How another instance learns of a commit (Gatehouse's defaults for this store). */
  readonly follows: string;
  /** Writes of one bare row (`INSERT`, or `SET` on Redis) on the same server with the same driver, autocommit: the limit. */
  limit(): Promise<{ write(key: string, row: string): Promise<void>; close(): Promise<void> }>;
  /** What the store holds on disk (or in memory), and what that counts. */
  size(): Promise<{ bytes: number; what: string }>;
  stop(): Promise<void>;
}

// The core's test support starts private servers (and honours GATEHOUSE_TEST_POSTGRES_URL /
// GATEHOUSE_TEST_REDIS_URL); load it from the core's build, as rest-server.ts loads seedDemo.
const coreSupport = (file: string) => new URL(`../../../core/dist/test/support/${file}`, import.meta.url).href;

/** A temporary SQLite file (WAL, synchronous FULL, as the server runs it). */
export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const file = join(dir, 'store.sqlite');
  const url = `sqlite://${file}`;
  return {
    kind: 'sqlite',
    name: 'SQLite',
    url,
    namespace: 'gatehouse',
    follows: 'polls every 1 s',
    async limit() {
      const db = new KeyvSqlite({ uri: url, busyTimeout: 10_000, table: 'bench_limit' });
      await db.query('SELECT 1');
      return { write: async (key, row) => void (await db.query('INSERT INTO bench_limit (key, value) VALUES (?, ?)', key, row)), close: () => db.disconnect() };
    },
    size: () => {
      const bytes = ['', '-wal'].reduce((s, ext) => {
        try {
          return s + statSync(file + ext).size;
        } catch {
          return s;
        }
      }, 0);
      return Promise.resolve({ bytes, what: 'file + WAL' });
    },
    stop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

/** A private redis-server (persistence off, as the tests run it), or GATEHOUSE_TEST_REDIS_URL. */
export async function redisBackend(): Promise<Backend> {
  const { startRedis } = (await import(coreSupport('redis-server.js'))) as { startRedis: typeof StartRedis };
  const redis = await startRedis();
  const namespace = redis.namespace('bench');
  const client = () => createClient({ url: redis.url });
  return {
    kind: 'redis',
    name: 'Redis',
    url: redis.url,
    namespace,
    follows: 'polls every 250 ms',
    async limit() {
      const c = client();
      await c.connect();
      return { write: async (key, row) => void (await c.set(`${namespace}::bench_limit:${key}`, row)), close: async () => void (await c.quit()) };
    },
    async size() {
      const c = client();
      await c.connect();
      try {
        const used = /used_memory:(\d+)/.exec(await c.info('memory'))?.[1];
        return { bytes: Number(used), what: `used_memory of ${redis.owned ? 'the server' : 'the whole (shared) server'}` };
      } finally {
        await c.quit();
      }
    },
    stop: () => redis.stop(),
  };
}

/** A private PostgreSQL cluster (initdb, default settings: fsync and synchronous_commit on), or GATEHOUSE_TEST_POSTGRES_URL. */
export async function postgresBackend(): Promise<Backend> {
  const { startPostgres } = (await import(coreSupport('postgres-server.js'))) as { startPostgres: typeof StartPostgres };
  const server = await startPostgres();
  const namespace = server.namespace('bench');
  const limitTable = `"${namespace}_limit"`;
  return {
    kind: 'postgres',
    name: 'PostgreSQL',
    url: server.url,
    namespace,
    follows: 'LISTEN/NOTIFY (polls every 1 s as a fallback)',
    async limit() {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query(`CREATE TABLE IF NOT EXISTS ${limitTable} (key text PRIMARY KEY, value text NOT NULL)`);
      return {
        write: async (key, row) => void (await c.query(`INSERT INTO ${limitTable} (key, value) VALUES ($1, $2)`, [key, row])),
        close: async () => {
          await c.query(`DROP TABLE ${limitTable}`);
          await c.end();
        },
      };
    },
    async size() {
      const rows = await server.sql('SELECT pg_total_relation_size($1::regclass) AS n', [`"${namespace}_commits"`]);
      return { bytes: Number(rows[0]?.['n']), what: 'the commits table with its index' };
    },
    stop: () => server.stop(),
  };
}

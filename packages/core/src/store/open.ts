import type KeyvRedis from '@keyv/redis';
import { createKeyv } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';
import type { Logger } from '../context.js';
import { silentLogger } from '../context.js';
import { GatehouseError } from '../errors.js';
import { RECORD_CODEC, deserializeRecord, serializeRecord } from './codec.js';
import { KeyvLogStore } from './keyv-store.js';
import type { LogStore } from './log-store.js';
import { PostgresLogStore } from './postgres.js';
import { RedisLogStore, checkRedisDurability, redisClientOptions } from './redis.js';
import { SqliteLogStore } from './sqlite.js';

export interface StoreOptions {
  /**
   * `memory`, `sqlite://<path>` (default `sqlite://gatehouse.sqlite`), `redis://host:port` or
   * `postgres://user:pass@host:port/db` (also `postgresql://`).
   */
  url?: string;
  namespace?: string;
  /** Told what the store's server would lose (Redis's persistence settings); silent by default. */
  logger?: Logger;
  /** How long opening waits for a Redis or PostgreSQL server (default OPEN_TIMEOUT_MS). */
  openTimeoutMs?: number;
}

/** host:port of a store URL, for logs (never its password). */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the store server';
  }
}

/** How long opening waits for a Redis or PostgreSQL server before it gives up, saying so. */
export const OPEN_TIMEOUT_MS = 10_000;

/**
 * Start-up against a store server that is not there: a clear error naming it (never its
 * password) within OPEN_TIMEOUT_MS, instead of waiting for ever (node-redis reconnects without
 * end) or a bare `connect ECONNREFUSED`. `giveUp` releases what the attempt holds.
 */
async function reachAtStart<T>(url: string, ms: number, attempt: Promise<T>, giveUp: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (err) {
    await giveUp().catch(() => undefined);
    if (err instanceof GatehouseError && err.code !== 'storage_unavailable') throw err;
    const why = err instanceof GatehouseError ? 'it cannot be reached' : err instanceof Error ? err.message : String(err);
    throw new GatehouseError('storage_unavailable', `the store at ${hostOf(url)} cannot be reached (${why}): start it, or set GATEHOUSE_STORE to one that runs`, { store: hostOf(url) });
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the store a URL names. keyv errors are thrown, never swallowed: a failed write must not be acknowledged. */
export async function openStore(opts: StoreOptions = {}): Promise<LogStore> {
  const url = opts.url ?? 'sqlite://gatehouse.sqlite';
  const namespace = opts.namespace ?? 'gatehouse';
  if (url === 'memory') {
    return new KeyvLogStore(new Keyv({ namespace, throwOnErrors: true, ...RECORD_CODEC }), 'memory');
  }
  if (url.startsWith('sqlite://')) {
    const table = 'keyv';
    const sqlite = new KeyvSqlite({ uri: url, busyTimeout: 10_000, table });
    // WAL: readers never block the writer; synchronous stays FULL so an acknowledged commit survives a crash.
    await sqlite.query('PRAGMA journal_mode=WAL');
    const keyv = new Keyv({ store: sqlite, namespace, throwOnErrors: true, ...RECORD_CODEC });
    return new SqliteLogStore(keyv, sqlite, table);
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const keyv = createKeyv(redisClientOptions(url), { namespace, throwOnErrors: true });
    keyv.serialize = serializeRecord;
    keyv.deserialize = deserializeRecord;
    const adapter = keyv.store as KeyvRedis<unknown>;
    const client = await reachAtStart(url, opts.openTimeoutMs ?? OPEN_TIMEOUT_MS, adapter.getClient(), () => adapter.disconnect(true));
    await checkRedisDurability(client as unknown as Parameters<typeof checkRedisDurability>[0], opts.logger ?? silentLogger, hostOf(url));
    return new RedisLogStore(keyv, adapter);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return reachAtStart(url, opts.openTimeoutMs ?? OPEN_TIMEOUT_MS, PostgresLogStore.open(url, namespace), () => Promise.resolve());
  }
  throw new GatehouseError('validation_failed', `unsupported store URL '${url}': use memory, sqlite://<file>, redis://<host>:<port> or postgres://<user>:<password>@<host>:<port>/<database>`);
}

import type { AuditEvent, Commit, EventBody, LogStore } from '@gatehouse/core';
import { KeyvLogStore, hashEvent } from '@gatehouse/core';
import pg from 'pg';

/** Where an account's hash chain stands: the next commit follows these. */
export interface Chain {
  seq: number;
  lastHash: string;
}

/**
 * Seals a commit exactly as the core's commit pipeline does (ids `<seq>.<i>`, each event hashed
 * over the previous hash and its canonical JSON), so the log loads and verifies like one written
 * through the Account API — without the per-command cost, which is what makes a million events
 * affordable in a benchmark.
 */
export function sealCommit(chain: Chain, bodies: readonly EventBody[], meta: { actor: string; at: number }): Commit {
  const seq = chain.seq + 1;
  let prev = chain.lastHash;
  const events = bodies.map((body, i): AuditEvent => {
    const unsealed = { ...body, id: `${String(seq)}.${String(i)}`, seq, actor: meta.actor, keyId: null, at: meta.at, prev };
    const sealed: AuditEvent = { ...unsealed, hash: hashEvent(unsealed) };
    prev = sealed.hash;
    return sealed;
  });
  chain.seq = seq;
  chain.lastHash = prev;
  return { v: 1, seq, events };
}

interface Sqlite {
  query(sql: string, ...params: unknown[]): Promise<unknown>;
  opts?: { table?: unknown };
}
function isSqlite(x: unknown): x is Sqlite {
  return typeof x === 'object' && x !== null && typeof (x as { query?: unknown }).query === 'function';
}

/** What node-redis offers that the bulk path uses (the store's own connection). */
interface RedisBulk {
  mSetNX(pairs: [string, string][]): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
}
interface RedisAdapter {
  getClient(): Promise<unknown>;
  createKeyPrefix(key: string, namespace?: string): string;
  readonly namespace?: string | undefined;
}

/**
 * Writes commits in batches as exactly the rows the store's `tryAppend` writes, and the head at
 * the end. Each refuses a batch that would overwrite a commit.
 */
interface BulkWriter {
  insert(commits: readonly Commit[]): Promise<void>;
  setHead(seq: number): Promise<void>;
  close(): Promise<void>;
}

// The stores' keys (keyv-store.ts: `a:<account>:c:<seq>` and `a:<account>:head`), checked by reading the last commit back.
const commitKey = (accountId: string, seq: number) => `a:${accountId}:c:${String(seq)}`;
const headKey = (accountId: string) => `a:${accountId}:head`;
async function record(store: KeyvLogStore, value: unknown): Promise<string> {
  const text = await store.keyv.serializeData({ value, expires: undefined });
  if (typeof text !== 'string') throw new Error('bench: the store\'s keyv serialiser must produce strings');
  return text;
}

/** SQLite (the store's own connection): multi-row INSERTs of keyv's rows, 20 of them a transaction. */
function sqliteWriter(store: KeyvLogStore, db: Sqlite, accountId: string): BulkWriter {
  const table = typeof db.opts?.table === 'string' ? db.opts.table : 'keyv';
  const key = (k: string) => `${store.keyv.namespace ?? ''}:${k}`;
  let inTransaction = 0;
  return {
    async insert(commits) {
      if (inTransaction === 0) await db.query('BEGIN');
      const params: unknown[] = [];
      for (const c of commits) params.push(key(commitKey(accountId, c.seq)), await record(store, c));
      await db.query(`INSERT INTO ${table} (key, value) VALUES ${commits.map(() => '(?, ?)').join(', ')} ON CONFLICT(key) DO NOTHING`, ...params);
      const changed = (await db.query('SELECT changes() AS n')) as { n: number }[];
      if (changed[0]?.n !== commits.length) throw new Error(`bench: ${String(commits.length - (changed[0]?.n ?? 0))} commit(s) of ${accountId} already existed`);
      if (++inTransaction >= 20) {
        await db.query('COMMIT');
        inTransaction = 0;
      }
    },
    async setHead(seq) {
      await db.query(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key(headKey(accountId)), await record(store, seq));
    },
    async close() {
      if (inTransaction > 0) await db.query('COMMIT');
    },
  };
}

/** Redis (the store's own connection): MSETNX of keyv's records under the adapter's prefix. */
async function redisWriter(store: KeyvLogStore, adapter: RedisAdapter, accountId: string): Promise<BulkWriter> {
  const client = (await adapter.getClient()) as RedisBulk;
  const key = (k: string) => adapter.createKeyPrefix(k, adapter.namespace);
  return {
    async insert(commits) {
      const pairs = await Promise.all(commits.map(async (c): Promise<[string, string]> => [key(commitKey(accountId, c.seq)), await record(store, c)]));
      const set = await client.mSetNX(pairs);
      if (set !== 1 && set !== true) throw new Error(`bench: commits ${String(commits[0]?.seq)}… of ${accountId} already existed`);
    },
    async setHead(seq) {
      await client.set(key(headKey(accountId)), await record(store, seq));
    },
    close: async () => {},
  };
}

/** PostgreSQL (a connection of its own, same driver): multi-row INSERTs into `<ns>_commits`, the head into `<ns>_heads`. */
async function postgresWriter(url: string, namespace: string, accountId: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const [commits, heads] = ['commits', 'heads'].map((t) => `"${namespace}_${t}"`);
  return {
    async insert(batch) {
      const params = batch.flatMap((c) => [accountId, c.seq, JSON.stringify(c)]);
      const r = await client.query(`INSERT INTO ${commits ?? ''} (account_id, seq, body) VALUES ${batch.map((_, i) => `($${String(3 * i + 1)}, $${String(3 * i + 2)}, $${String(3 * i + 3)})`).join(', ')} ON CONFLICT DO NOTHING`, params);
      if (r.rowCount !== batch.length) throw new Error(`bench: ${String(batch.length - (r.rowCount ?? 0))} commit(s) of ${accountId} already existed`);
    },
    async setHead(seq) {
      await client.query(`INSERT INTO ${heads ?? ''} (account_id, seq) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq`, [accountId, seq]);
    },
    close: () => client.end(),
  };
}

/** The fast path for a store, or null (memory: its own `tryAppend` is fast). */
async function bulkWriter(store: LogStore, accountId: string, url: string | undefined): Promise<BulkWriter | null> {
  if (store instanceof KeyvLogStore && store.kind === 'sqlite' && isSqlite(store.keyv.store)) return sqliteWriter(store, store.keyv.store, accountId);
  if (store instanceof KeyvLogStore && store.kind === 'redis') return redisWriter(store, store.keyv.store as RedisAdapter, accountId);
  if (store.kind === 'postgres') {
    const namespace = (store as { namespace?: unknown }).namespace;
    if (!url || typeof namespace !== 'string') throw new Error('bench: writing PostgreSQL in bulk needs its URL');
    return postgresWriter(url, namespace, accountId);
  }
  return null;
}

/**
 * Appends commits (with seq following the account's last one) to a store.
 *
 * The first commit goes through the store's own `tryAppend`; on SQLite, Redis and PostgreSQL the
 * rest are written `rows` at a time as exactly the rows `tryAppend` writes (same keys, same
 * serialisation), and the head record is moved to the last one — a million commits one round
 * trip (and one fsync) each would take many minutes. The last one is then read back through the
 * store, which proves the rows are where the store looks. Memory: through `tryAppend`, one by one.
 */
export async function appendCommits(store: LogStore, accountId: string, commits: Iterable<Commit>, opts: { url?: string; rows?: number } = {}): Promise<number> {
  const rows = opts.rows ?? 500;
  let writer: BulkWriter | null = null;
  let n = 0;
  let last: Commit | null = null;
  let pending: Commit[] = [];
  try {
    for (const c of commits) {
      if (n === 0) {
        if (!(await store.tryAppend(accountId, c))) throw new Error(`bench: commit ${String(c.seq)} of ${accountId} already existed`);
        writer = await bulkWriter(store, accountId, opts.url);
      } else if (!writer) {
        if (!(await store.tryAppend(accountId, c))) throw new Error(`bench: commit ${String(c.seq)} of ${accountId} already existed`);
      } else {
        pending.push(c);
        if (pending.length >= rows) {
          await writer.insert(pending);
          pending = [];
        }
      }
      last = c;
      n++;
    }
    if (writer && pending.length) await writer.insert(pending);
    if (writer && last) await writer.setHead(last.seq);
  } finally {
    await writer?.close();
  }
  if (last && last.seq > 1) {
    const back = await store.readCommits(accountId, last.seq - 1);
    if (back.length !== 1 || back[0]?.events[0]?.hash !== last.events[0]?.hash) throw new Error('bench: the bulk-written log does not read back through the store');
  }
  return n;
}

import type { AuditEvent, Commit, EventBody, LogStore } from '@gatehouse/core';
import { KeyvLogStore, hashEvent } from '@gatehouse/core';

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

/**
 * Appends commits (with seq following the account's last one) to a store.
 *
 * Memory: through the store's own `tryAppend`, one by one. SQLite: the first commit goes through
 * `tryAppend` too, the rest as multi-row `INSERT … ON CONFLICT DO NOTHING` of exactly the rows
 * `tryAppend` would write (same key, same keyv serialisation), `rows` at a time in transactions
 * — a million commits one statement (and one fsync) each would take many minutes. The last one
 * is then read back through the store, which proves the rows are where the store looks.
 */
export async function appendCommits(store: LogStore, accountId: string, commits: Iterable<Commit>, rows = 500): Promise<number> {
  const sqlite = store instanceof KeyvLogStore && store.kind === 'sqlite' && isSqlite(store.keyv.store) ? { keyv: store.keyv, db: store.keyv.store } : null;
  const table = sqlite && typeof sqlite.db.opts?.table === 'string' ? sqlite.db.opts.table : 'keyv';
  // SqliteLogStore's key: `<namespace>:a:<account>:c:<seq>` (checked by reading the last commit back).
  const keyOf = (seq: number) => `${sqlite?.keyv.namespace ?? ''}:a:${accountId}:c:${String(seq)}`;
  const perTransaction = rows * 20;
  let n = 0;
  let last: Commit | null = null;
  let pending: unknown[] = [];
  let inTransaction = 0;
  const flush = async () => {
    if (!sqlite || pending.length === 0) return;
    const count = pending.length / 2;
    await sqlite.db.query(`INSERT INTO ${table} (key, value) VALUES ${Array.from({ length: count }, () => '(?, ?)').join(', ')} ON CONFLICT(key) DO NOTHING`, ...pending);
    const changed = (await sqlite.db.query('SELECT changes() AS n')) as { n: number }[];
    if (changed[0]?.n !== count) throw new Error(`bench: ${String(count - (changed[0]?.n ?? 0))} commit(s) of ${accountId} already existed`);
    pending = [];
    inTransaction += count;
    if (inTransaction >= perTransaction) {
      await sqlite.db.query('COMMIT');
      inTransaction = 0;
    }
  };
  for (const c of commits) {
    if (!sqlite || n === 0) {
      if (!(await store.tryAppend(accountId, c))) throw new Error(`bench: commit ${String(c.seq)} of ${accountId} already existed`);
    } else {
      if (inTransaction === 0 && pending.length === 0) await sqlite.db.query('BEGIN');
      pending.push(keyOf(c.seq), await sqlite.keyv.serializeData({ value: c, expires: undefined }));
      if (pending.length >= rows * 2) await flush();
    }
    last = c;
    n++;
  }
  await flush();
  if (sqlite && inTransaction > 0) await sqlite.db.query('COMMIT');
  if (last && last.seq > 1) {
    const back = await store.readCommits(accountId, last.seq - 1);
    if (back.length !== 1 || back[0]?.events[0]?.hash !== last.events[0]?.hash) throw new Error('bench: the bulk-written log does not read back through the store');
  }
  return n;
}

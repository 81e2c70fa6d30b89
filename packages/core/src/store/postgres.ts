import type { Notification, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { Client, Pool } from 'pg';
import type { z } from 'zod';
import { GatehouseError, StoreUnavailableError } from '../errors.js';
import type { Commit, Snapshot } from '../events/schema.js';
import type { LogStore } from './log-store.js';
import { PURGE_EVERY, SeenSeqs, corrupt, decodeSnapshot, encodeSnapshot, holeInLog, parseCommit, storeLostData, tailLost, unreadable } from './log-store.js';

/** A namespace names the tables (`<ns>_commits`, …) and the notification channel (`<ns>_commits`). */
const NAMESPACE = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/;
const RETRY_LISTEN_MS = 1_000;

/**
 * How long a connection attempt may take (README, "When the store is down"): a server that refuses
 * connections fails a call at once, one that does not accept within 2 s fails it then. Statements
 * have no time limit: loading an account reads its whole log in one, which may rightly take long
 * (the commit loop's deadline bounds what a write waits); TCP keep-alive finds dead connections.
 */
const CONNECT_TIMEOUT_MS = 2_000;

/** Node's errors for a server that cannot be reached or dropped the connection. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server going away: shutting down, crashed, starting up, out of connections. */
const SERVER_AWAY = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg's own errors for a lost or timed-out connection, which carry no code. */
const PG_CONNECTION_ERRORS = ['Connection terminated', 'timeout exceeded when trying to connect', 'Client has encountered a connection error'];

/**
 * Whether `err` says the server cannot be reached or stopped answering, as opposed to refusing a
 * statement: a network error, a connection exception (SQLSTATE class 08), a server going away,
 * or one of pg's own connection errors.
 */
function unreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return NETWORK_ERRORS.has(code) || SERVER_AWAY.has(code) || code.startsWith('08');
  return PG_CONNECTION_ERRORS.some((m) => err.message.startsWith(m));
}

type Listener = (accountId: string, seq: number) => void;

const quote = (identifier: string) => `"${identifier}"`;

/** JSON text from a row, or `storage_corrupt` naming the row. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw unreadable(what, err);
  }
}

/**
 * PostgreSQL, for several instances on one database. Each namespace has four tables: the commits
 * (`PRIMARY KEY (account_id, seq)`), the heads, the snapshots and the auxiliary records. Bodies are
 * JSON in `text` columns, kept byte for byte as written (`jsonb` would reorder keys and refuse a
 * `\u0000` in a string).
 *
 * The append is one statement, so one round trip and one transaction: it inserts the commit if the
 * previous one exists (`ON CONFLICT DO NOTHING` leaves a commit another writer stored alone), moves
 * the head, and notifies `<ns>_commits` with `<account>:<seq>`, which PostgreSQL delivers to
 * every listener once the transaction commits.
 *
 * A server that cannot be reached or stops answering fails a call with `storage_unavailable`
 * (see `query`); the pool opens new connections once it is back.
 */
export class PostgresLogStore implements LogStore {
  readonly kind = 'postgres';
  private readonly seen = new SeenSeqs();
  private readonly listeners = new Set<Listener>();
  /** Told when the LISTEN connection is back after it was lost: notifications sent meanwhile were missed. */
  private readonly gaps = new Set<() => void>();
  private listenedOnce = false;
  /** The connection that LISTENs (from open to close, so a subscriber misses nothing after open). */
  private listening: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly commits: string;
  private readonly heads: string;
  private readonly snapshots: string;
  private readonly meta: string;
  private readonly claimsTable: string;
  private claims = 0;
  private readonly channel: string;

  private constructor(
    private readonly pool: Pool,
    private readonly url: string,
    readonly namespace: string,
  ) {
    [this.commits, this.heads, this.snapshots, this.meta, this.claimsTable] = ['commits', 'heads', 'snapshots', 'meta', 'claims'].map((t) => quote(`${namespace}_${t}`)) as [string, string, string, string, string];
    this.channel = `${namespace}_commits`;
  }

  /** Connects, creates the namespace's tables if they do not exist, and starts listening. */
  static async open(url: string, namespace: string): Promise<PostgresLogStore> {
    if (!NAMESPACE.test(namespace)) {
      throw new GatehouseError('validation_failed', `namespace '${namespace}' cannot name PostgreSQL tables: use 1-40 letters, digits, _ or -, starting with a letter or _`);
    }
    const pool = new Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    // An idle connection that drops is replaced on the next query, which fails visibly if the server is gone.
    pool.on('error', () => undefined);
    const store = new PostgresLogStore(pool, url, namespace);
    try {
      await store.createTables();
    } catch (err) {
      await pool.end();
      throw err;
    }
    await store.listen();
    return store;
  }

  private async createTables(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Two instances starting at once would race in CREATE TABLE IF NOT EXISTS (the catalog's unique index).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gatehouse:${this.namespace}`]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.commits} (account_id text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), body text NOT NULL, PRIMARY KEY (account_id, seq))`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.heads} (account_id text PRIMARY KEY, seq bigint NOT NULL)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.snapshots} (account_id text PRIMARY KEY, seq bigint NOT NULL, body text NOT NULL)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.meta} (key text PRIMARY KEY, value text NOT NULL)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.claimsTable} (key text PRIMARY KEY, expires_at bigint NOT NULL)`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    // One statement, one snapshot: the head and every commit after `afterSeq` (always one row, for the head).
    const { rows } = await this.query<{ head: string | null; seq: string | null; body: string | null }>(
      false,
      `SELECT h.head, c.seq, c.body
       FROM (SELECT (SELECT seq FROM ${this.heads} WHERE account_id = $1) AS head) h
       LEFT JOIN ${this.commits} c ON c.account_id = $1 AND c.seq > $2
       ORDER BY c.seq`,
      [accountId, afterSeq],
    );
    const out: Commit[] = [];
    let next = afterSeq + 1;
    for (const row of rows) {
      if (row.seq === null || row.body === null) break;
      const seq = Number(row.seq);
      if (seq !== next) throw holeInLog(accountId, next, seq);
      out.push(parseCommit(accountId, seq, parseJson(row.body, `commit ${accountId}#${seq}`)));
      next++;
    }
    const head = rows[0]?.head;
    if (head !== null && head !== undefined && Number(head) >= next) throw tailLost(accountId, next - 1, Number(head));
    this.seen.note(accountId, next - 1);
    return out;
  }

  async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    const { rows } = await this.query<{ won: boolean; has_prev: boolean }>(
      true,
      `WITH ins AS (
         INSERT INTO ${this.commits} (account_id, seq, body)
         SELECT $1::text, $2::bigint, $3::text
         WHERE $2::bigint = 1 OR EXISTS (SELECT 1 FROM ${this.commits} WHERE account_id = $1::text AND seq = $2::bigint - 1)
         ON CONFLICT DO NOTHING
         RETURNING seq
       ), head AS (
         INSERT INTO ${this.heads} (account_id, seq) SELECT $1::text, seq FROM ins
         ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq
       ), notified AS (
         SELECT pg_notify($4::text, $1::text || ':' || seq) FROM ins
       )
       SELECT EXISTS (SELECT 1 FROM ins) AS won,
              ($2::bigint = 1 OR EXISTS (SELECT 1 FROM ${this.commits} WHERE account_id = $1::text AND seq = $2::bigint - 1)) AS has_prev,
              (SELECT count(*) FROM notified) AS notified`,
      [accountId, commit.seq, JSON.stringify(commit), this.channel],
    );
    const r = rows[0];
    if (r?.won) {
      this.seen.note(accountId, commit.seq);
      return true;
    }
    if (r && !r.has_prev) throw await this.lostData(accountId, commit.seq - 1);
    return false;
  }

  /**
   * One statement on a pooled connection. A server that cannot be reached or stops answering is
   * `storage_unavailable`; a write (`write`) can have landed only if the connection was made.
   */
  private async query<R extends QueryResultRow>(write: boolean, text: string, params: unknown[] = []): Promise<QueryResult<R>> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw unreachable(err) ? new StoreUnavailableError('postgres', 'unchanged', 'cannot be reached', err) : err;
    }
    let result: QueryResult<R>;
    try {
      result = await client.query<R>(text, params);
    } catch (err) {
      const lost = unreachable(err);
      // A broken connection is not given back to the pool.
      client.release(lost);
      if (lost) throw new StoreUnavailableError('postgres', write ? 'unknown' : 'unchanged', 'stopped answering', err);
      throw err;
    }
    client.release();
    return result;
  }

  private async lostData(accountId: string, held: number, refusing = true): Promise<GatehouseError> {
    const { rows } = await this.query<{ end: string }>(false, `SELECT coalesce(max(seq), 0) AS end FROM ${this.commits} WHERE account_id = $1 AND seq < $2`, [accountId, held]);
    return storeLostData(accountId, held, Number(rows[0]?.end ?? 0), refusing);
  }

  async checkHealth(): Promise<void> {
    const seen = this.seen.entries().filter(([, seq]) => seq > 0);
    // With nothing seen yet, still the round trip that proves the database answers.
    const { rows } = await this.query<{ account_id: string; seq: string }>(
      false,
      `SELECT s.account_id, s.seq FROM unnest($1::text[], $2::bigint[]) AS s(account_id, seq)
       WHERE NOT EXISTS (SELECT 1 FROM ${this.commits} c WHERE c.account_id = s.account_id AND c.seq = s.seq)`,
      [seen.map(([a]) => a), seen.map(([, seq]) => seq)],
    );
    const lost = rows[0];
    if (lost) throw await this.lostData(lost.account_id, Number(lost.seq), false);
  }

  async loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    const { rows } = await this.query<{ body: string }>(false, `SELECT body FROM ${this.snapshots} WHERE account_id = $1`, [accountId]);
    const body = rows[0]?.body;
    if (body === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(body) as unknown;
    } catch {
      return undefined; // only an optimisation: replay from zero
    }
    const snap = decodeSnapshot(accountId, raw);
    if (snap) this.seen.note(accountId, snap.seq);
    return snap;
  }

  async saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    // Several instances snapshot the same account: an older snapshot never replaces a newer one.
    await this.query(
      true,
      `INSERT INTO ${this.snapshots} (account_id, seq, body) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, body = excluded.body WHERE ${this.snapshots}.seq <= excluded.seq`,
      [accountId, snapshot.seq, JSON.stringify(encodeSnapshot(snapshot))],
    );
  }

  async getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const { rows } = await this.query<{ value: string }>(false, `SELECT value FROM ${this.meta} WHERE key = $1`, [key]);
    const value = rows[0]?.value;
    if (value === undefined) return undefined;
    const parsed = schema.safeParse(parseJson(value, `record ${key}`));
    if (!parsed.success) throw corrupt(`record ${key}`, parsed.error);
    return parsed.data;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.query(true, `INSERT INTO ${this.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, JSON.stringify(value)]);
  }

  /**
   * One statement: inserts the claim, or takes over an expired one; RETURNING yields a row only when
   * it did. Every PURGE_EVERY claims, expired ones are deleted.
   */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const { rows } = await this.query(
      true,
      `INSERT INTO ${this.claimsTable} (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE ${this.claimsTable}.expires_at <= $3
       RETURNING key`,
      [key, now + Math.max(1, Math.round(ttlMs)), now],
    );
    if (++this.claims % PURGE_EVERY === 0) await this.query(true, `DELETE FROM ${this.claimsTable} WHERE expires_at <= $1`, [now]);
    return rows.length > 0;
  }

  subscribe(listener: Listener, missed?: () => void): () => void {
    this.listeners.add(listener);
    if (missed) this.gaps.add(missed);
    return () => {
      this.listeners.delete(listener);
      if (missed) this.gaps.delete(missed);
    };
  }

  /**
   * Opens the LISTEN connection. If it fails or drops (the server is away), it is opened again a
   * second later, silently; once it is back, subscribers are told to catch up on what they missed.
   */
  private async listen(): Promise<void> {
    if (this.listening || this.retry || this.closed) return;
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    this.listening = client;
    const lost = () => {
      if (this.listening !== client) return;
      this.listening = null;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.listen();
      }, RETRY_LISTEN_MS);
      this.retry.unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.dispatch(n));
    try {
      await client.connect();
      await client.query(`LISTEN ${quote(this.channel)}`);
      if (this.listenedOnce) for (const missed of this.gaps) missed();
      this.listenedOnce = true;
    } catch {
      lost();
    }
  }


  private dispatch(n: Notification): void {
    const payload = n.payload ?? '';
    const at = payload.lastIndexOf(':');
    const seq = Number(payload.slice(at + 1));
    if (n.channel !== this.channel || at < 1 || !Number.isSafeInteger(seq)) return;
    for (const l of this.listeners) l(payload.slice(0, at), seq);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.listening;
    this.listening = null;
    await Promise.all([client?.end().catch(() => undefined), this.pool.end()]);
  }
}

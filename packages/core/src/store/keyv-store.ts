import { Mutex } from 'async-mutex';
import type { Keyv } from 'keyv';
import type { z } from 'zod';
import type { Commit, Snapshot } from '../events/schema.js';
import type { GatehouseError } from '../errors.js';
import type { LogStore } from './log-store.js';
import { HeadSchema, SeenSeqs, corrupt, decodeSnapshot, encodeSnapshot, holeInLog, parseCommit, storeLostData, tailLost, unreadable } from './log-store.js';

const BATCH = 200;

export const commitKey = (a: string, seq: number) => `a:${a}:c:${seq}`;
export const headKey = (a: string) => `a:${a}:head`;
const snapKey = (a: string) => `a:${a}:snap`;
/** A claimed request id (see `claim`); `x;` is the first key after every claim. */
export const claimKey = (key: string) => `x:${key}`;
export const CLAIMS_END = 'x;';
const commitKeys = (a: string, from: number, n: number) => Array.from({ length: n }, (_, i) => commitKey(a, from + i));
/** Names row `i` of a read of commits from `from` on, for errors. */
const commitAt = (a: string, from: number) => (i: number) => `commit ${a}#${from + i}`;

type Row = { value?: unknown } | undefined;

/** What keyv throws when a row is not the JSON record it wrote (torn or foreign bytes), as opposed to I/O errors. */
function undecodable(err: unknown): boolean {
  return err instanceof SyntaxError || err instanceof TypeError;
}

/**
 * A LogStore over any keyv. Set-if-absent is serialised in-process (one writer process); the
 * SQLite and Redis subclasses make the append atomic in the store itself.
 */
export class KeyvLogStore implements LogStore {
  private readonly locks = new Map<string, Mutex>();
  private readonly claiming = new Mutex();
  protected readonly seen = new SeenSeqs();

  constructor(
    readonly keyv: Keyv,
    readonly kind: LogStore['kind'],
  ) {}

  async readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    const out: Commit[] = [];
    // The head is read in the first batch, before the commits: heads only grow and follow their
    // commit, so a head above where the log ends means commits went missing, never a race.
    let head: number | undefined;
    for (let next = afterSeq + 1; ; next += BATCH) {
      const first = next === afterSeq + 1;
      const keys = commitKeys(accountId, next, BATCH);
      const rows = first ? await this.readRows([headKey(accountId), ...keys], (i) => (i === 0 ? `head record of ${accountId}` : `commit ${accountId}#${next + i - 1}`)) : await this.readRows(keys, commitAt(accountId, next));
      if (first) head = this.parseHead(accountId, rows.shift());
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        // Only a missing row ends the log. A row that holds no commit is corruption: stopping there
        // would load a silently shortened state. So is a missing row with commits after it, or a
        // log that ends before its head.
        if (row === undefined) {
          await this.assertNoCommitsAfter(accountId, next + i, rows.slice(i + 1));
          if (head !== undefined && head >= next + i && !(await this.keyv.has(commitKey(accountId, next + i)))) throw tailLost(accountId, next + i - 1, head);
          this.seen.note(accountId, next + i - 1);
          return out;
        }
        out.push(parseCommit(accountId, next + i, row.value));
      }
    }
  }

  private parseHead(accountId: string, row: Row): number | undefined {
    // No head: an empty account, or a log written before heads were kept (its next append adds one).
    if (row === undefined) return undefined;
    const parsed = HeadSchema.safeParse(row.value);
    if (!parsed.success) throw corrupt(`head record of ${accountId}`, parsed.error);
    return parsed.data;
  }

  /**
   * The log ends at `missing` only if nothing follows it: rows after it in the batch already read,
   * or in the next batch, mean a commit row was deleted (by hand, or by a store that lost it).
   */
  private async assertNoCommitsAfter(accountId: string, missing: number, rest: readonly Row[]): Promise<void> {
    let found = rest.findIndex((r) => r !== undefined);
    let at = missing + 1;
    if (found < 0) {
      at = missing + 1 + rest.length;
      found = (await this.readRows(commitKeys(accountId, at, BATCH), commitAt(accountId, at))).findIndex((r) => r !== undefined);
    }
    // Two reads are not one snapshot: the row may have been written (with more after it) in
    // between. It is a hole only if it is still missing now that a later commit exists.
    if (found >= 0 && (await this.readRows([commitKey(accountId, missing)], commitAt(accountId, missing)))[0] === undefined) {
      throw holeInLog(accountId, missing, at + found);
    }
  }

  /** keyv's records for `keys` (undefined where no row exists); undecodable bytes are `storage_corrupt` naming `what(i)`. */
  private async readRows(keys: string[], what: (i: number) => string): Promise<Row[]> {
    try {
      return await this.keyv.getManyRaw<unknown>(keys);
    } catch (err) {
      if (!undecodable(err)) throw err;
      for (let i = 0; i < keys.length; i++) {
        try {
          await this.keyv.getRaw(keys[i] ?? '');
        } catch (e) {
          if (undecodable(e)) throw unreadable(what(i), e);
          throw e;
        }
      }
      throw err;
    }
  }

  async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    let lock = this.locks.get(accountId);
    if (!lock) this.locks.set(accountId, (lock = new Mutex()));
    return lock.runExclusive(async () => {
      const key = commitKey(accountId, commit.seq);
      const [prev, exists] = await this.keyv.has([commitKey(accountId, commit.seq - 1), key]);
      if (commit.seq > 1 && !prev) throw await this.lostData(accountId, commit.seq - 1);
      if (exists) return false;
      await this.keyv.set(key, commit);
      await this.keyv.set(headKey(accountId), commit.seq);
      this.seen.note(accountId, commit.seq);
      return true;
    });
  }

  /**
   * The refusal for a writer that holds commit `held` the store no longer has, naming where the
   * store's log now ends: the last commit below `held`, found by bisection (the log is a prefix).
   */
  protected async lostData(accountId: string, held: number, refusing = true): Promise<GatehouseError> {
    let lo = 0;
    let hi = held;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.keyv.has(commitKey(accountId, mid))) lo = mid;
      else hi = mid;
    }
    return storeLostData(accountId, held, lo, refusing);
  }

  /** A value as the text keyv stores, for subclasses that write rows themselves. */
  protected async record(value: unknown): Promise<string> {
    const text = await this.keyv.serializeData({ value, expires: undefined });
    if (typeof text !== 'string') throw new Error(`keyv serializer must produce strings for ${this.kind}`);
    return text;
  }

  async checkHealth(): Promise<void> {
    const seen = this.seen.entries().filter(([, seq]) => seq > 0);
    // Also the round trip that proves the store answers.
    const present = await this.keyv.has(['m:accounts', ...seen.map(([a, seq]) => commitKey(a, seq))]);
    for (const [i, [accountId, seq]] of seen.entries()) if (!present[i + 1]) throw await this.lostData(accountId, seq, false);
  }

  async loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    let raw: unknown;
    try {
      raw = await this.keyv.get<unknown>(snapKey(accountId));
    } catch (err) {
      if (undecodable(err)) return undefined;
      throw err;
    }
    const snap = decodeSnapshot(accountId, raw);
    if (snap) this.seen.note(accountId, snap.seq);
    return snap;
  }

  async saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    await this.keyv.set(snapKey(accountId), encodeSnapshot(snapshot));
  }

  /**
   * Set-if-absent serialised in this process (one writer process, as `tryAppend`); keyv drops an
   * expired record when it is read. The SQLite and Redis subclasses claim atomically in the store.
   */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    return this.claiming.runExclusive(async () => {
      if ((await this.keyv.get<unknown>(claimKey(key))) !== undefined) return false;
      await this.keyv.set(claimKey(key), true, ttlMs);
      return true;
    });
  }

  /** A claim's record as keyv stores it (with its expiry, so keyv reads it back alike). */
  protected async claimRecord(ttlMs: number, now: number): Promise<string> {
    const text = await this.keyv.serializeData({ value: true, expires: now + ttlMs });
    if (typeof text !== 'string') throw new Error(`keyv serializer must produce strings for ${this.kind}`);
    return text;
  }

  async getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const raw = await this.keyv.get<unknown>(`m:${key}`);
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw corrupt(`record ${key}`, parsed.error);
    return parsed.data;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.keyv.set(`m:${key}`, value);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

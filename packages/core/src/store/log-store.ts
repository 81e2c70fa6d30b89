import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { Commit, Snapshot } from '../events/schema.js';
import { CommitSchema, SnapshotSchema } from '../events/schema.js';
import type { AccountState } from '../schemas.js';
import { STATE_SCHEMA_VERSION } from '../schemas.js';

/**
 * The storage seam. Each account has an append-only log of commits (`a:<acct>:c:<seq>`), the
 * commit point of a change being the single write of its commit record; a snapshot
 * (`a:<acct>:snap`) only shortens replay and can always be rebuilt from the log.
 *
 * Beside the log, a head record (`a:<acct>:head`) holds the highest committed seq, written with
 * each append. It is what tells a log that ends from a log whose tail was lost.
 */
export interface LogStore {
  readonly kind: 'memory' | 'sqlite' | 'redis' | 'postgres';
  /**
   * Commits with seq > afterSeq, in order. Validated; a missing commit with commits after it, or a
   * log that ends before its head record, is `storage_corrupt`.
   */
  readCommits(accountId: string, afterSeq: number): Promise<Commit[]>;
  /**
   * Writes commit `seq` unless it exists. False means another writer got there first. Refuses with
   * `storage_corrupt` (writing nothing) when commit `seq - 1` is not in the store: the store lost
   * commits this writer has seen, and a commit written now would follow a hole.
   */
  tryAppend(accountId: string, commit: Commit): Promise<boolean>;
  loadSnapshot(accountId: string): Promise<Snapshot | undefined>;
  saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void>;
  /** Small auxiliary records (key index, last-used times, account list). */
  getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  /**
   * Records `key` for `ttlMs` unless it is recorded already (and not expired), atomically in the
   * store: true for the one caller — of every process on the store — that recorded it. For ids of
   * requests that may arrive more than once, at any instance (Slack retries, replays).
   */
  claim?(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Tells `listener` of commits appended by any process, soon after they are durable (stores that
   * can push: PostgreSQL's LISTEN/NOTIFY), and `missed` when it may have missed some (it lost its
   * connection and has it again). Best effort: readers still poll. Returns the way to stop.
   */
  subscribe?(listener: (accountId: string, seq: number) => void, missed?: () => void): () => void;
  /**
   * Throws if the store cannot be read, or (`storage_corrupt`) if it no longer holds a commit this
   * process read or wrote: the store lost data. For health checks.
   *
   * Every method of a networked store (Redis, PostgreSQL) fails with `storage_unavailable` within
   * a few seconds when its server cannot be reached or stops answering, never waiting for it to
   * come back; its `outcome` says whether a write may have landed anyway.
   */
  checkHealth?(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- what every store reads and refuses

export const HeadSchema = z.number().int().nonnegative();

/** Expired claims are deleted once every this many claims (by stores that do not expire keys themselves). */
export const PURGE_EVERY = 1000;

export function corrupt(what: string, err: z.ZodError): GatehouseError {
  return new GatehouseError('storage_corrupt', `stored ${what} failed validation: ${z.prettifyError(err)}`, { what });
}

/** A stored commit, validated: the schema, and the seq it is stored under. */
export function parseCommit(accountId: string, seq: number, raw: unknown): Commit {
  const parsed = CommitSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(`commit ${accountId}#${seq}`, parsed.error);
  if (parsed.data.seq !== seq) throw new GatehouseError('storage_corrupt', `commit ${seq} of ${accountId} says seq ${parsed.data.seq}`, { what: `commit ${accountId}#${seq}` });
  return parsed.data;
}

/** Bytes in a row that are no record at all (torn write, another program); `what` names the row (`commit T1#4`). */
export function unreadable(what: string, err: unknown): GatehouseError {
  return new GatehouseError('storage_corrupt', `stored ${what} is not a readable record: ${String(err)}`, { what });
}

/** A row missing from the middle of the log. */
export function holeInLog(accountId: string, missing: number, found: number): GatehouseError {
  return new GatehouseError('storage_corrupt', `commit ${missing} of ${accountId} is missing but commit ${found} exists: rows were deleted from the log; restore them from a backup`, {
    what: `commit ${accountId}#${missing}`,
  });
}

/** The log ends before its head record: its last commits were deleted, or the store lost them. */
export function tailLost(accountId: string, end: number, head: number): GatehouseError {
  return new GatehouseError(
    'storage_corrupt',
    `the log of account ${accountId} ends at commit ${end} but its head record says ${head}: the last commits were deleted or lost; restore them from a backup`,
    { what: `commit ${accountId}#${end + 1}`, accountId, end, head },
  );
}

/**
 * This process holds commit `held` of the account, the store's log ends before it. When writing
 * (`refusing`), nothing may be written over the hole.
 */
export function storeLostData(accountId: string, held: number, end: number, refusing = true): GatehouseError {
  return new GatehouseError(
    'storage_corrupt',
    `${refusing ? 'refusing to write to ' : ''}account ${accountId}: this instance holds commit ${held} but the store's log ends at ${end}: the store lost data; restore it or restart on a good copy`,
    { accountId, held, end },
  );
}

// ---------------------------------------------------------------- snapshots

const StoredSnapshotSchema = z.object({
  v: z.literal(2),
  seq: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  state: z.string(),
});
type StoredSnapshot = z.infer<typeof StoredSnapshotSchema>;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Snapshots are stored as `{ v: 2, seq, sha256, state }` with the state as JSON text and its
 * sha256. The state was built from validated events and is written by this code only, so a
 * matching hash proves the bytes are the ones written, and reading a snapshot back is a hash
 * and a JSON.parse instead of a schema walk over every record (at 10,000 users, ~15 ms instead
 * of ~100 ms). Version 1 snapshots (the state inline) are still read, through the schema.
 */
export function encodeSnapshot(snapshot: Snapshot): StoredSnapshot {
  const state = JSON.stringify(snapshot.state);
  return { v: 2, seq: snapshot.seq, sha256: sha256Hex(state), state };
}

/**
 * The snapshot a stored record holds, or undefined. A snapshot is only an optimisation: an
 * unreadable one (older schema, torn bytes, a hash that does not match) is ignored and replay
 * starts from zero.
 */
export function decodeSnapshot(accountId: string, raw: unknown): Snapshot | undefined {
  if (raw === undefined) return undefined;
  const stored = StoredSnapshotSchema.safeParse(raw);
  if (!stored.success) {
    const parsed = SnapshotSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }
  const { seq, sha256, state: text } = stored.data;
  if (sha256Hex(text) !== sha256) return undefined;
  const state = JSON.parse(text) as AccountState;
  if (state.schema !== STATE_SCHEMA_VERSION || state.id !== accountId || state.seq !== seq) return undefined;
  return { v: 1, seq, state };
}

// ---------------------------------------------------------------- what this process has seen

/**
 * The highest seq of each account this process read or wrote, so `checkHealth` can tell a store
 * that lost data (a Redis restarted empty, a database restored from an older backup) from one
 * that is merely quiet.
 */
export class SeenSeqs {
  private readonly seen = new Map<string, number>();

  note(accountId: string, seq: number): void {
    if (seq > (this.seen.get(accountId) ?? 0)) this.seen.set(accountId, seq);
  }

  entries(): [string, number][] {
    return [...this.seen];
  }
}

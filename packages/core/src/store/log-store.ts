import type { z } from 'zod';
import type { Commit, Snapshot } from '../events/schema.js';

/**
 * The storage seam. Each account has an append-only log of commits (`a:<acct>:c:<seq>`), the
 * commit point of a change being the single write of its commit record; a snapshot
 * (`a:<acct>:snap`) only shortens replay and can always be rebuilt from the log.
 */
export interface LogStore {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** Commits with seq > afterSeq, in order, stopping at the first gap. Validated. */
  readCommits(accountId: string, afterSeq: number): Promise<Commit[]>;
  /** Writes commit `seq` unless it exists. False means another writer got there first. */
  tryAppend(accountId: string, commit: Commit): Promise<boolean>;
  loadSnapshot(accountId: string): Promise<Snapshot | undefined>;
  saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void>;
  /** Small auxiliary records (key index, last-used times, account list). */
  getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

import { Mutex } from 'async-mutex';
import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { Commit, Snapshot } from '../events/schema.js';
import { CommitSchema, SnapshotSchema } from '../events/schema.js';
import type { AccountState } from '../schemas.js';
import { STATE_SCHEMA_VERSION } from '../schemas.js';
import type { LogStore } from './log-store.js';

const BATCH = 200;

const StoredSnapshotSchema = z.object({
  v: z.literal(2),
  seq: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  state: z.string(),
});

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export const commitKey = (a: string, seq: number) => `a:${a}:c:${seq}`;
const snapKey = (a: string) => `a:${a}:snap`;

/** What keyv throws when a row is not the JSON record it wrote (torn or foreign bytes), as opposed to I/O errors. */
function undecodable(err: unknown): boolean {
  return err instanceof SyntaxError || err instanceof TypeError;
}

function corrupt(what: string, err: z.ZodError): GatehouseError {
  return new GatehouseError('storage_corrupt', `stored ${what} failed validation: ${z.prettifyError(err)}`, { what });
}

/** A LogStore over any keyv. Set-if-absent is serialised in-process (one writer process). */
export class KeyvLogStore implements LogStore {
  private readonly locks = new Map<string, Mutex>();

  constructor(
    readonly keyv: Keyv,
    readonly kind: LogStore['kind'],
  ) {}

  async readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    const out: Commit[] = [];
    for (let next = afterSeq + 1; ; next += BATCH) {
      const keys = Array.from({ length: BATCH }, (_, i) => commitKey(accountId, next + i));
      const rows = await this.readRows(accountId, keys, next);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        // Only a missing row ends the log. A row that holds no commit is corruption: stopping there
        // would load a silently shortened state. So is a missing row with commits after it.
        if (row === undefined) {
          await this.assertNoCommitsAfter(accountId, next + i, rows.slice(i + 1));
          return out;
        }
        const parsed = CommitSchema.safeParse(row.value);
        if (!parsed.success) throw corrupt(`commit ${accountId}#${next + i}`, parsed.error);
        if (parsed.data.seq !== next + i) throw new GatehouseError('storage_corrupt', `commit ${next + i} of ${accountId} says seq ${parsed.data.seq}`);
        out.push(parsed.data);
      }
    }
  }

  /**
   * The log ends at `missing` only if nothing follows it: rows after it in the batch already read,
   * or in the next batch, mean a commit row was deleted (by hand, or by a store that lost it).
   * A head record could also catch a deleted tail; this catches holes, at one more batch read
   * when a reader reaches the end of the log.
   */
  private async assertNoCommitsAfter(accountId: string, missing: number, rest: readonly ({ value?: unknown } | undefined)[]): Promise<void> {
    let found = rest.findIndex((r) => r !== undefined);
    let at = missing + 1;
    if (found < 0) {
      at = missing + 1 + rest.length;
      const keys = Array.from({ length: BATCH }, (_, i) => commitKey(accountId, at + i));
      found = (await this.readRows(accountId, keys, at)).findIndex((r) => r !== undefined);
    }
    // Two reads are not one snapshot: the row may have been written (with more after it) in
    // between. It is a hole only if it is still missing now that a later commit exists.
    if (found >= 0 && (await this.readRows(accountId, [commitKey(accountId, missing)], missing))[0] === undefined) {
      throw new GatehouseError('storage_corrupt', `commit ${missing} of ${accountId} is missing but commit ${at + found} exists: rows were deleted from the log; restore them from a backup`, { what: `commit ${accountId}#${missing}` });
    }
  }

  /** keyv's records for `keys` (undefined where no row exists); undecodable bytes are `storage_corrupt`. */
  private async readRows(accountId: string, keys: string[], firstSeq: number): Promise<({ value?: unknown } | undefined)[]> {
    try {
      return await this.keyv.getManyRaw<unknown>(keys);
    } catch (err) {
      if (!undecodable(err)) throw err;
      for (let i = 0; i < keys.length; i++) {
        try {
          await this.keyv.getRaw(keys[i] ?? '');
        } catch (e) {
          if (undecodable(e)) throw new GatehouseError('storage_corrupt', `stored commit ${accountId}#${firstSeq + i} is not a readable record: ${String(e)}`, { what: `commit ${accountId}#${firstSeq + i}` });
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
      if ((await this.keyv.get(key)) !== undefined) return false;
      await this.keyv.set(key, commit);
      return true;
    });
  }

  /**
   * Snapshots are stored as `{ v: 2, seq, sha256, state }` with the state as JSON text and its
   * sha256. The state was built from validated events and is written by this code only, so a
   * matching hash proves the bytes are the ones written, and reading a snapshot back is a hash
   * and a JSON.parse instead of a schema walk over every record (at 10,000 users, ~15 ms instead
   * of ~100 ms). Version 1 snapshots (the state inline) are still read, through the schema.
   */
  async loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    let raw: unknown;
    try {
      raw = await this.keyv.get<unknown>(snapKey(accountId));
    } catch (err) {
      if (undecodable(err)) return undefined;
      throw err;
    }
    if (raw === undefined) return undefined;
    // A snapshot is only an optimisation: an unreadable one (older schema, torn bytes, a hash
    // that does not match) is ignored and replay starts from zero.
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

  async saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    const state = JSON.stringify(snapshot.state);
    await this.keyv.set(snapKey(accountId), { v: 2, seq: snapshot.seq, sha256: sha256Hex(state), state });
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

import type KeyvSqlite from '@keyv/sqlite';
import type { Keyv } from 'keyv';
import type { Commit } from '../events/schema.js';
import { CLAIMS_END, KeyvLogStore, claimKey, commitKey, headKey } from './keyv-store.js';
import { PURGE_EVERY } from './log-store.js';

/**
 * SQLite: the file may be opened by more than one process (the server and the CLI), so the
 * append is one statement, atomic in SQLite (an INSERT takes the write lock before it reads):
 * it inserts the commit and sets the head only if the previous commit exists and this one does
 * not, and RETURNING yields the commit's key only to the writer whose INSERT stored it.
 */
export class SqliteLogStore extends KeyvLogStore {
  private claims = 0;

  constructor(
    keyv: Keyv,
    private readonly sqlite: KeyvSqlite,
    private readonly table: string,
  ) {
    super(keyv, 'sqlite');
  }

  /**
   * One statement: inserts the claim, or takes over an expired one; RETURNING yields a row only
   * when it did (the upsert's WHERE leaves a live claim alone). Every PURGE_EVERY claims, expired
   * ones are deleted (keyv only drops a record it reads, and a claim is rarely read again).
   */
  override async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const k = (x: string) => `${this.keyv.namespace ?? ''}:${x}`;
    const rows = (await this.sqlite.query(
      `INSERT INTO ${this.table} (key, value) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE json_extract(${this.table}.value, '$.expires') <= ?
       RETURNING key`,
      k(claimKey(key)),
      await this.claimRecord(ttlMs, now),
      now,
    )) as { key: string }[];
    if (++this.claims % PURGE_EVERY === 0) {
      await this.sqlite.query(`DELETE FROM ${this.table} WHERE key >= ? AND key < ? AND json_extract(value, '$.expires') <= ?`, k(claimKey('')), k(CLAIMS_END), now);
    }
    return rows.length > 0;
  }

  override async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    const key = (k: string) => `${this.keyv.namespace ?? ''}:${k}`;
    const [row, prev, head] = [key(commitKey(accountId, commit.seq)), key(commitKey(accountId, commit.seq - 1)), key(headKey(accountId))];
    // The SELECT reads the table it inserts into, so SQLite evaluates it whole before inserting:
    // both rows or neither. `WHERE` before `ON CONFLICT` also settles SQLite's upsert parsing ambiguity.
    const rows = (await this.sqlite.query(
      `INSERT INTO ${this.table} (key, value)
       SELECT column1, column2 FROM (VALUES (?, ?), (?, ?))
       WHERE NOT EXISTS (SELECT 1 FROM ${this.table} WHERE key = ?) AND (? = 1 OR EXISTS (SELECT 1 FROM ${this.table} WHERE key = ?))
       ON CONFLICT(key) DO UPDATE SET value = excluded.value
       RETURNING key`,
      row,
      await this.record(commit),
      head,
      await this.record(commit.seq),
      row,
      commit.seq,
      prev,
    )) as { key: string }[];
    if (rows.some((r) => r.key === row)) {
      this.seen.note(accountId, commit.seq);
      return true;
    }
    // Nothing written: another writer has this seq, or the previous commit is gone.
    if (commit.seq > 1 && !(await this.keyv.has(commitKey(accountId, commit.seq - 1)))) throw await this.lostData(accountId, commit.seq - 1);
    return false;
  }
}

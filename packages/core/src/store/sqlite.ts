import type KeyvSqlite from '@keyv/sqlite';
import type { Keyv } from 'keyv';
import type { Commit } from '../events/schema.js';
import { KeyvLogStore, commitKey } from './keyv-store.js';

/**
 * SQLite: the file may be opened by more than one process (the server and the CLI), so the
 * append is an `INSERT … ON CONFLICT DO NOTHING RETURNING key` — atomic in SQLite: a row comes
 * back only to the writer whose INSERT stored it.
 */
export class SqliteLogStore extends KeyvLogStore {
  constructor(
    keyv: Keyv,
    private readonly sqlite: KeyvSqlite,
    private readonly table: string,
  ) {
    super(keyv, 'sqlite');
  }

  override async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    const key = `${this.keyv.namespace ?? ''}:${commitKey(accountId, commit.seq)}`;
    const value = await this.keyv.serializeData({ value: commit, expires: undefined });
    if (typeof value !== 'string') throw new Error('keyv serializer must produce strings for SQLite');
    // One statement: RETURNING yields the row only if this INSERT wrote it (SQLite ≥ 3.35).
    const rows = (await this.sqlite.query(`INSERT INTO ${this.table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key`, key, value)) as { key: string }[];
    return rows.length === 1;
  }
}

import type KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import type { Commit } from '../events/schema.js';
import { KeyvLogStore, commitKey } from './keyv-store.js';

/**
 * Redis: several processes share the log, so set-if-absent must be atomic in Redis itself.
 * The commit is written with `SET … NX` under exactly the key and serialisation keyv uses,
 * so everything else (reads, snapshots) still goes through keyv.
 */
export class RedisLogStore extends KeyvLogStore {
  constructor(
    keyv: Keyv,
    private readonly adapter: KeyvRedis<unknown>,
  ) {
    super(keyv, 'redis');
  }

  override async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    const client = await this.adapter.getClient();
    const rawKey = this.adapter.createKeyPrefix(commitKey(accountId, commit.seq), this.adapter.namespace);
    const value = await this.keyv.serializeData({ value: commit, expires: undefined });
    if (typeof value !== 'string') throw new Error('keyv serializer must produce strings for Redis');
    const res = await (client as unknown as { set(k: string, v: string, o: { NX: true }): Promise<string | null> }).set(rawKey, value, { NX: true });
    return res === 'OK';
  }
}

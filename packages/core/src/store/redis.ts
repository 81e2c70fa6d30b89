import type KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import type { Commit } from '../events/schema.js';
import { KeyvLogStore, claimKey, commitKey, headKey } from './keyv-store.js';

/**
 * The append as one Lua script, so Redis runs it atomically: refuse (-1) when the previous commit
 * is gone (the server restarted without its data), leave an existing commit alone (0), otherwise
 * write the commit and the head (1).
 * KEYS: commit, previous commit, head. ARGV: commit record, head record, seq.
 */
const APPEND = `
if tonumber(ARGV[3]) > 1 and redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('SET', KEYS[3], ARGV[2])
return 1
`;

interface EvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(key: string, value: string, options: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<string | null>;
}

/**
 * Redis: several processes share the log, so set-if-absent must be atomic in Redis itself.
 * The commit is written under exactly the key and serialisation keyv uses, so everything else
 * (reads, snapshots) still goes through keyv.
 */
export class RedisLogStore extends KeyvLogStore {
  constructor(
    keyv: Keyv,
    private readonly adapter: KeyvRedis<unknown>,
  ) {
    super(keyv, 'redis');
  }

  /** SET NX PX: atomic in Redis, and Redis expires the claim itself. */
  override async claim(key: string, ttlMs: number): Promise<boolean> {
    const client = (await this.adapter.getClient()) as unknown as EvalClient;
    const res = await client.set(this.adapter.createKeyPrefix(claimKey(key), this.adapter.namespace), await this.claimRecord(ttlMs, Date.now()), { condition: 'NX', expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } });
    return res === 'OK';
  }

  override async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    const client = (await this.adapter.getClient()) as unknown as EvalClient;
    const key = (k: string) => this.adapter.createKeyPrefix(k, this.adapter.namespace);
    const res = await client.eval(APPEND, {
      keys: [key(commitKey(accountId, commit.seq)), key(commitKey(accountId, commit.seq - 1)), key(headKey(accountId))],
      arguments: [await this.record(commit), await this.record(commit.seq), String(commit.seq)],
    });
    if (res === -1) throw await this.lostData(accountId, commit.seq - 1);
    if (res === 1) this.seen.note(accountId, commit.seq);
    return res === 1;
  }
}

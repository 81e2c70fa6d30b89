import type KeyvRedis from '@keyv/redis';
import type { RedisClientOptions } from '@keyv/redis';
import { defaultReconnectStrategy } from '@keyv/redis';
import type { Keyv } from 'keyv';
import type { z } from 'zod';
import type { Logger } from '../context.js';
import { GatehouseError, StoreUnavailableError } from '../errors.js';
import type { Commit, Snapshot } from '../events/schema.js';
import { KeyvLogStore, claimKey, commitKey, headKey } from './keyv-store.js';

/**
 * How the Redis client behaves while the server is away (README, "When the store is down"). A
 * command sent while disconnected fails at once (`disableOfflineQueue`) instead of waiting in
 * node-redis's offline queue for as long as the outage lasts; a connection attempt gives up after
 * 2 s; a connection on which nothing arrives for 3 s (a hung server, a dropped network) is closed,
 * failing what waits on it, and a PING every second keeps a healthy idle one from looking dead.
 * The client reconnects by itself (backing off up to 2 s), so writes work again once it answers.
 */
export function redisClientOptions(url: string): RedisClientOptions {
  return { url, disableOfflineQueue: true, pingInterval: 1_000, socket: { connectTimeout: 2_000, socketTimeout: 3_000, reconnectStrategy: defaultReconnectStrategy } };
}

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

/** The settings under which Redis keeps every write it acknowledged (README: "Redis"). */
export const DURABLE_REDIS = { appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' } as const;
type DurabilitySetting = keyof typeof DURABLE_REDIS;

/** What each setting loses when it is not the durable one. */
const LOSES: Record<DurabilitySetting, (value: string) => string> = {
  appendonly: () => 'without the append-only file a restart loses every commit since the last RDB snapshot (all of them when snapshots are off)',
  appendfsync: (v) => `appendfsync ${v} acknowledges a commit before it is on disk: a crash of the machine loses the last ${v === 'no' ? '~30 seconds' : 'second'} of commits`,
  'maxmemory-policy': (v) => `maxmemory-policy ${v} lets Redis delete keys when memory runs short, commits among them`,
};

interface CommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** One setting's value in CONFIG GET's reply: [name, value, …] (RESP2) or a map (RESP3). */
function configValue(reply: unknown, name: string): string | null {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (String(reply[i]) === name) return String(reply[i + 1]);
    return null;
  }
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : null;
  if (typeof reply === 'object' && reply !== null && Object.hasOwn(reply, name)) return String((reply as Record<string, unknown>)[name]);
  return null;
}

/**
 * Reads the server's persistence and eviction settings (CONFIG GET) at start-up and warns when
 * they would lose writes Gatehouse acknowledged: the log is the only copy of the audit trail. A
 * server that refuses CONFIG (managed Redis often does) is a warning too: it could not be checked.
 */
export async function checkRedisDurability(client: CommandClient, logger: Logger, where: string): Promise<'durable' | 'unsafe' | 'unknown'> {
  const settings = Object.keys(DURABLE_REDIS) as DurabilitySetting[];
  const use = Object.entries(DURABLE_REDIS).map(([k, v]) => `${k} ${v}`).join(', ');
  const values: Partial<Record<DurabilitySetting, string | null>> = {};
  try {
    // One setting per CONFIG GET: several at once needs Redis 7.
    for (const s of settings) values[s] = configValue(await client.sendCommand(['CONFIG', 'GET', s]), s);
  } catch (err) {
    logger.warn(`could not check that Redis keeps acknowledged writes (CONFIG GET refused: ${err instanceof Error ? err.message : String(err)}): make sure ${where} runs with ${use}, or a restart or a crash can lose commits`, { store: where, use: DURABLE_REDIS });
    return 'unknown';
  }
  const unsafe = settings.filter((s) => values[s] !== null && values[s] !== undefined && values[s] !== DURABLE_REDIS[s]);
  const unknown = settings.filter((s) => values[s] === null || values[s] === undefined);
  if (unsafe.length > 0) {
    logger.warn(`Redis at ${where} can lose commits Gatehouse acknowledged: ${unsafe.map((s) => LOSES[s](values[s] ?? '')).join('; ')}. Set ${use} (redis.conf, or CONFIG SET then CONFIG REWRITE)`, {
      store: where,
      ...Object.fromEntries(settings.map((s) => [s, values[s] ?? null])),
      use: DURABLE_REDIS,
    });
    return 'unsafe';
  }
  if (unknown.length > 0) {
    logger.warn(`could not check that Redis keeps acknowledged writes (CONFIG GET did not say ${unknown.join(', ')}): make sure ${where} runs with ${use}`, { store: where, use: DURABLE_REDIS });
    return 'unknown';
  }
  return 'durable';
}

interface ConnectionState {
  readonly isReady: boolean;
}

interface EvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(key: string, value: string, options: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<string | null>;
}

/**
 * Redis: several processes share the log, so set-if-absent must be atomic in Redis itself.
 * The commit is written under exactly the key and serialisation keyv uses, so everything else
 * (reads, snapshots) still goes through keyv. A call that fails because the server is away is
 * `storage_unavailable` (see `reach`).
 */
export class RedisLogStore extends KeyvLogStore {
  constructor(
    keyv: Keyv,
    private readonly adapter: KeyvRedis<unknown>,
  ) {
    super(keyv, 'redis');
  }

  override readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    return this.reach(false, () => super.readCommits(accountId, afterSeq));
  }

  override loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    return this.reach(false, () => super.loadSnapshot(accountId));
  }

  override saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    return this.reach(true, () => super.saveSnapshot(accountId, snapshot));
  }

  override getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.reach(false, () => super.getMeta(key, schema));
  }

  override setMeta(key: string, value: unknown): Promise<void> {
    return this.reach(true, () => super.setMeta(key, value));
  }

  override checkHealth(): Promise<void> {
    return this.reach(false, () => super.checkHealth());
  }

  /** SET NX PX: atomic in Redis, and Redis expires the claim itself. */
  override claim(key: string, ttlMs: number): Promise<boolean> {
    return this.reach(true, async () => {
      const client = (await this.adapter.getClient()) as unknown as EvalClient;
      const res = await client.set(this.adapter.createKeyPrefix(claimKey(key), this.adapter.namespace), await this.claimRecord(ttlMs, Date.now()), { condition: 'NX', expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } });
      return res === 'OK';
    });
  }

  override tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    return this.reach(true, async () => {
      const client = (await this.adapter.getClient()) as unknown as EvalClient;
      const key = (k: string) => this.adapter.createKeyPrefix(k, this.adapter.namespace);
      const res = await client.eval(APPEND, {
        keys: [key(commitKey(accountId, commit.seq)), key(commitKey(accountId, commit.seq - 1)), key(headKey(accountId))],
        arguments: [await this.record(commit), await this.record(commit.seq), String(commit.seq)],
      });
      if (res === -1) throw await this.lostData(accountId, commit.seq - 1);
      if (res === 1) this.seen.note(accountId, commit.seq);
      return res === 1;
    });
  }

  /**
   * Runs a call to Redis; when it fails and the client is not connected afterwards, the server was
   * away and the failure is `storage_unavailable`. A write can have landed only if the connection
   * was up when it was sent: otherwise node-redis refused it before sending (no offline queue).
   */
  private async reach<T>(write: boolean, call: () => Promise<T>): Promise<T> {
    const connection = this.adapter.client as unknown as ConnectionState;
    const wasReady = connection.isReady;
    try {
      return await call();
    } catch (err) {
      if (err instanceof GatehouseError || connection.isReady) throw err;
      throw new StoreUnavailableError('redis', write && wasReady ? 'unknown' : 'unchanged', wasReady ? 'stopped answering' : 'cannot be reached', err);
    }
  }
}

import type KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import type { Logger } from '../context.js';
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

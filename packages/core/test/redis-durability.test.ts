import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../src/index.js';
import { Gatehouse } from '../src/index.js';
import { ping, startRedis } from './support/redis-server.js';
import { freePort, launchServer, stopProcess } from './support/server-process.js';

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (msg) => void warnings.push(msg), error: (msg) => void warnings.push(`error: ${msg}`) };
}

const USE = 'appendonly yes, appendfsync always, maxmemory-policy noeviction';

/** A redis-server of this test's own, with these settings added; stopped by `stop`. */
async function redisWith(args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-redis-durability-'));
  const port = await freePort();
  const child = await launchServer({
    name: 'redis-server',
    cmd: 'redis-server',
    args: ['--save', '', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, ...args],
    cwd: dir,
    port,
    ready: () => ping(port),
    readyWhat: 'answer PING',
    timeoutMs: 10_000,
  }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The warnings logged while a Gatehouse opens (and closes) the Redis at `url`. */
async function warningsOpening(url: string): Promise<string[]> {
  const logger = recording();
  const gh = await Gatehouse.open({ url, logger, watchMs: null });
  await gh.close();
  return logger.warnings;
}

/**
 * Gatehouse acknowledges a commit once Redis has it; what Redis does with it then depends on its
 * configuration. At start-up the settings are read and anything that would lose acknowledged
 * writes is said loudly, with the settings to use.
 */
describe('Redis: durability settings checked at start-up (real redis-server)', function () {
  this.timeout(60_000);

  it('the test server (persistence off) draws a warning naming appendonly and appendfsync, and the settings to use', async function () {
    const redis = await startRedis();
    try {
      // GATEHOUSE_TEST_REDIS_URL: someone else's server, whose settings this test cannot know.
      if (!redis.owned) this.skip();
      const warnings = await warningsOpening(redis.url);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      const [w] = warnings;
      assert.match(w ?? '', /can lose commits Gatehouse acknowledged/);
      assert.match(w ?? '', /without the append-only file a restart loses every commit/);
      assert.match(w ?? '', /appendfsync everysec acknowledges a commit before it is on disk/);
      assert.doesNotMatch(w ?? '', /maxmemory-policy noeviction lets/);
      assert.ok(w?.includes(`Set ${USE}`));
    } finally {
      await redis.stop();
    }
  });

  it('a server that evicts keys under memory pressure is named too', async () => {
    const redis = await redisWith(['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const warnings = await warningsOpening(redis.url);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /maxmemory-policy allkeys-lru lets Redis delete keys/);
      assert.doesNotMatch(warnings[0] ?? '', /append-only file|appendfsync always acknowledges/);
    } finally {
      await redis.stop();
    }
  });

  it('a durable server (appendonly yes, appendfsync always, noeviction) draws no warning', async () => {
    const redis = await redisWith(['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']);
    try {
      assert.deepEqual(await warningsOpening(redis.url), []);
    } finally {
      await redis.stop();
    }
  });

  it('a server that refuses CONFIG (as managed Redis often does) is a warning that it could not be checked; start-up goes on', async () => {
    const redis = await redisWith(['--rename-command', 'CONFIG', '']);
    try {
      const warnings = await warningsOpening(redis.url);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /could not check that Redis keeps acknowledged writes \(CONFIG GET refused/);
      assert.ok(warnings[0]?.includes(USE));
    } finally {
      await redis.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import type { LogStore, SqliteLogStore } from '../src/index.js';
import { openStore } from '../src/index.js';
import { startPostgres } from './support/postgres-server.js';
import { startRedis } from './support/redis-server.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `claim(key, ttl)`: set-if-absent in the store, for request ids that may reach any instance.
 * Two stores opened on one URL stand for two instances (each has its own connection).
 */
function claimTests(open: () => Promise<[LogStore, LogStore]>): void {
  let stores: LogStore[] = [];
  afterEach(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    stores = [];
  });
  const two = async () => {
    const pair = await open();
    stores.push(...new Set(pair));
    return pair;
  };

  it('the first claim wins, at either instance; a later one at any instance loses', async () => {
    const [a, b] = await two();
    assert.equal(await a.claim?.('slack:trigger-1', 60_000), true);
    assert.equal(await b.claim?.('slack:trigger-1', 60_000), false);
    assert.equal(await a.claim?.('slack:trigger-1', 60_000), false);
    assert.equal(await b.claim?.('slack:trigger-2', 60_000), true);
  });

  it('of 20 claims of one key at once on two instances, exactly one wins', async () => {
    const [a, b] = await two();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim?.('slack:race', 60_000) ?? Promise.reject(new Error('no claim'))));
    assert.equal(results.filter((r) => r === true).length, 1);
  });

  it('an expired claim can be claimed again', async () => {
    const [a, b] = await two();
    assert.equal(await a.claim?.('slack:short', 50), true);
    assert.equal(await b.claim?.('slack:short', 50), false);
    await sleep(120);
    assert.equal(await b.claim?.('slack:short', 60_000), true);
    assert.equal(await a.claim?.('slack:short', 60_000), false);
  });
}

/** The claim tests on a server started for the describe: two stores on one namespace. */
function onServerClaims(start: () => Promise<{ url: string; namespace(label: string): string; stop(): Promise<void> }>): void {
  let server: { url: string; namespace(label: string): string; stop(): Promise<void> } | null = null;
  before(async () => {
    server = await start();
  });
  after(async () => {
    await server?.stop();
  });
  claimTests(async () => {
    if (!server) throw new Error('the server did not start');
    const namespace = server.namespace('claims');
    return [await openStore({ url: server.url, namespace }), await openStore({ url: server.url, namespace })];
  });
}

describe('LogStore.claim', function () {
  this.timeout(60_000);

  describe('memory (one store shared by the instances of one process)', () => {
    claimTests(async () => {
      const s = await openStore({ url: 'memory' });
      return [s, s];
    });
  });

  describe('SQLite (two connections on one file)', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gatehouse-claims-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    let n = 0;
    claimTests(async () => {
      const url = `sqlite://${join(dir, `claims-${n++}.sqlite`)}`;
      return [await openStore({ url }), await openStore({ url })];
    });

    it('expired claims are deleted every 1000 claims (keyv drops only what it reads)', async () => {
      const store = (await openStore({ url: `sqlite://${join(dir, 'purge.sqlite')}` })) as SqliteLogStore;
      try {
        const sqlite = store.keyv.store as KeyvSqlite;
        const count = async () => ((await sqlite.query('SELECT count(*) AS n FROM keyv WHERE key LIKE ?', `${store.keyv.namespace ?? ''}:x:%`)) as { n: number }[])[0]?.n;
        for (let i = 1; i < 1000; i++) await store.claim(`k${i}`, 1);
        await sleep(5);
        assert.equal(await count(), 999);
        assert.equal(await store.claim('k1000', 60_000), true);
        assert.equal(await count(), 1, 'only the live claim is left');
      } finally {
        await store.close();
      }
    });
  });

  describe('Redis (real redis-server)', () => {
    onServerClaims(startRedis);
  });

  describe('PostgreSQL (real server)', () => {
    onServerClaims(startPostgres);
  });
});

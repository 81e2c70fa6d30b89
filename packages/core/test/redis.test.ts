import assert from 'node:assert/strict';
import type { Actor, KeyvLogStore } from '../src/index.js';
import { openStore } from '../src/index.js';
import { ADMIN } from './support/child-writer.js';
import { startRedis } from './support/redis-server.js';
import { isCorrupt, multiProcessTests, onServer, reconnected, storedAccount } from './support/store-suites.js';

const admin: Actor = { userId: ADMIN };

describe('Redis: several processes on one account (real redis-server)', function () {
  this.timeout(60_000);
  const { setup } = onServer(startRedis);
  multiProcessTests(setup, { title: 'within 1 s', withinMs: 1_000 });
});

describe('Redis: a store that lost its data (real redis-server)', function () {
  this.timeout(60_000);
  const { server, setup } = onServer(startRedis);
  it('restarted empty (no persistence), it is refused by an instance that holds commits: nothing is written over the hole', async () => {
    const t = setup('lost');
    const gh = await t.open({ watchMs: null });
    const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UDEV' });
    await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
    const held = account.seq;
    assert.equal(held, 3);
    await gh.store.checkHealth?.();

    await server().loseData(t.namespace ?? '');
    await reconnected(gh);
    const bothSeqs = new RegExp(`account T1: this instance holds commit ${held} but the store's log ends at 0: the store lost data`);
    await assert.rejects(account.createTeam(admin, { teamId: 'checkout', name: 'Checkout' }), isCorrupt(new RegExp(`^refusing to write to ${bothSeqs.source}`)));
    assert.equal(account.seq, held, 'the refused change is not applied either');
    // Nothing reached the store: a fresh reader finds an empty log.
    const store = (await openStore({ url: t.url, namespace: t.namespace })) as KeyvLogStore;
    try {
      assert.deepEqual(await store.readCommits('T1', 0), []);
      assert.equal(await store.keyv.get(`a:T1:c:${held + 1}`), undefined);
    } finally {
      await store.close();
    }
    // And a health check says so.
    await assert.rejects(gh.store.checkHealth?.() ?? Promise.resolve(), isCorrupt(bothSeqs));
  });

  it('a deleted tail (the head record says more) fails loading with storage_corrupt naming both seqs', async () => {
    const t = setup('tail');
    await storedAccount(t);
    const store = (await openStore({ url: t.url, namespace: t.namespace })) as KeyvLogStore;
    try {
      assert.equal(await store.keyv.delete('a:T1:c:5'), true);
      assert.equal(await store.keyv.delete('a:T1:c:4'), true);
    } finally {
      await store.close();
    }
    const gh = await t.open({ watchMs: null });
    await assert.rejects(gh.account('T1'), isCorrupt(/log of account T1 ends at commit 3 but its head record says 5/));
  });
});

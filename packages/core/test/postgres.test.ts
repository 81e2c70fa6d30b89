import assert from 'node:assert/strict';
import { GatehouseError, openStore } from '../src/index.js';
import { stateJson } from './support/child-writer.js';
import { startPostgres } from './support/postgres-server.js';
import type { Harness } from './support/store-suites.js';
import { commitCorruptionTests, harness, isCorrupt, multiProcessTests, onServer, sigkillTests, storedAccount } from './support/store-suites.js';

describe('PostgreSQL (real postgres server)', function () {
  this.timeout(60_000);
  const { server: pg, opened, setup } = onServer(startPostgres);
  /** SQL on one of the test's tables (`commits`, `heads`, `snapshots`, `meta`). */
  const sql = (t: Harness, table: string, text: string, params: unknown[] = []) => pg().sql(text.replace('$table', `"${t.namespace ?? ''}_${table}"`), params);

  describe('several processes on one account', () => {
    multiProcessTests(setup, { title: 'within 500 ms through LISTEN/NOTIFY (polling only every 60 s)', withinMs: 500, watchMs: 60_000 });
  });

  describe('a writer killed with SIGKILL mid-burst', () => {
    sigkillTests(() => Promise.resolve(setup('burst')));
  });

  describe('stored data is validated on read', () => {
    commitCorruptionTests(
      () => Promise.resolve(setup('corrupt')),
      async (t, seq, value) => {
        await sql(t, 'commits', "UPDATE $table SET body = $1 WHERE account_id = 'T1' AND seq = $2", [JSON.stringify(value), seq]);
      },
    );

    it('a row holding bytes that are not JSON fails with storage_corrupt, not a log that silently ends before it', async () => {
      const t = setup('bytes');
      await storedAccount(t);
      await sql(t, 'commits', "UPDATE $table SET body = '{\"v\":1,\"se' WHERE account_id = 'T1' AND seq = 4");
      const gh = await t.open({ watchMs: null });
      await assert.rejects(gh.account('T1'), isCorrupt(/stored commit T1#4 is not a readable record/));
    });

    it('a commit row deleted from the middle of the log fails with storage_corrupt, not a shortened account', async () => {
      const t = setup('hole');
      await storedAccount(t);
      await sql(t, 'commits', "DELETE FROM $table WHERE account_id = 'T1' AND seq = 3");
      const gh = await t.open({ watchMs: null });
      await assert.rejects(gh.account('T1'), isCorrupt(/commit 3 of T1 is missing but commit 4 exists/));
    });

    it('a deleted tail (the head record says more) fails loading with storage_corrupt naming the account and both seqs', async () => {
      const t = setup('tail');
      await storedAccount(t);
      assert.deepEqual(await sql(t, 'heads', 'SELECT account_id, seq::int FROM $table'), [{ account_id: 'T1', seq: 5 }]);
      await sql(t, 'commits', "DELETE FROM $table WHERE account_id = 'T1' AND seq > 3");
      const gh = await t.open({ watchMs: null });
      await assert.rejects(gh.account('T1'), isCorrupt(/the log of account T1 ends at commit 3 but its head record says 5/));
    });

    it('an unreadable snapshot is ignored: the state is rebuilt from the log', async () => {
      const t = setup('snap');
      const { json } = await storedAccount(t);
      const gh = await t.open({ watchMs: null });
      await (await gh.account('T1')).snapshot();
      await t.close(gh);
      assert.deepEqual(await sql(t, 'snapshots', 'SELECT seq::int FROM $table'), [{ seq: 5 }]);
      await sql(t, 'snapshots', "UPDATE $table SET body = replace(body, '\\\"qa\\\"', '\\\"admin\\\"')");
      const { gh: again, spy } = await t.openSpied();
      assert.deepEqual(stateJson(await again.account('T1')), json);
      assert.deepEqual(spy.readFrom, [0], 'the snapshot whose hash no longer matches was not used');
      await sql(t, 'snapshots', "UPDATE $table SET body = '{\"v\":2,'");
      const { gh: third, spy: spy3 } = await t.openSpied();
      assert.deepEqual(stateJson(await third.account('T1')), json);
      assert.deepEqual(spy3.readFrom, [0]);
    });

    it('a corrupt auxiliary record (the account list) is refused too', async () => {
      const t = setup('meta');
      await storedAccount(t);
      await sql(t, 'meta', "UPDATE $table SET value = '{\"not\":\"a list\"}' WHERE key = 'accounts'");
      const gh = await t.open({ watchMs: null });
      await assert.rejects(gh.accountIds(), isCorrupt(/record accounts/));
    });
  });

  describe('a database that lost commits under a running instance', () => {
    it('restored from an older backup: the instance refuses to write, names the account and both seqs, and writes nothing', async () => {
      const t = setup('rollback');
      const { json } = await storedAccount(t);
      const gh = await t.open({ watchMs: null });
      const account = await gh.account('T1');
      assert.deepEqual(stateJson(account), json);
      await gh.store.checkHealth?.();
      // What a restore from a backup taken at commit 3 leaves: the head went back with the commits.
      await sql(t, 'commits', "DELETE FROM $table WHERE account_id = 'T1' AND seq > 3");
      await sql(t, 'heads', "UPDATE $table SET seq = 3 WHERE account_id = 'T1'");

      const lost = "account T1: this instance holds commit 5 but the store's log ends at 3: the store lost data; restore it or restart on a good copy";
      await assert.rejects(account.ensureUser({ userId: 'UNEW' }), isCorrupt(new RegExp(`^refusing to write to ${lost}$`)));
      assert.equal(account.seq, 5);
      assert.deepEqual(await sql(t, 'commits', "SELECT seq::int FROM $table WHERE account_id = 'T1' ORDER BY seq"), [{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
      assert.deepEqual(await sql(t, 'heads', 'SELECT seq::int FROM $table'), [{ seq: 3 }]);
      await assert.rejects(gh.store.checkHealth?.() ?? Promise.resolve(), isCorrupt(new RegExp(`^${lost}$`)));
    });
  });

  describe('store URLs', () => {
    it('postgresql:// opens the same store as postgres://, of kind postgres', async () => {
      const t = setup('scheme');
      const { json } = await storedAccount(t);
      const url = t.url.replace(/^postgres:\/\//, 'postgresql://');
      assert.notEqual(url, t.url);
      const again = harness(url, t.namespace, opened);
      const gh = await again.open({ watchMs: null });
      assert.equal(gh.store.kind, 'postgres');
      assert.deepEqual(stateJson(await gh.account('T1')), json);
    });

    it('a namespace that cannot name tables is refused before anything is created', async () => {
      await assert.rejects(openStore({ url: pg().url, namespace: 'no spaces; DROP TABLE x' }), (e: unknown) => e instanceof GatehouseError && e.code === 'validation_failed');
    });
  });
});

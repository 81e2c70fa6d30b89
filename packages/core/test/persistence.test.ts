import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import type { KeyvLogStore } from '../src/index.js';
import { FakeClock, Gatehouse, GatehouseError, SYSTEM, openStore } from '../src/index.js';
import { ADMIN, killWriters, observe, recordedWorld, stateJson } from './support/child-writer.js';
import { commitCorruptionTests, harness, isCorrupt, loose, sigkillTests, storedAccount } from './support/store-suites.js';

const cleanups: (() => Promise<void>)[] = [];

/** A fresh SQLite file in a temp dir; every Gatehouse opened through it is closed after the test. */
async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-persist-'));
  const url = `sqlite://${join(dir, 'gatehouse.sqlite')}`;
  const opened = new Set<Gatehouse>();
  cleanups.push(async () => {
    for (const gh of opened) await gh.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return {
    ...harness(url, undefined, opened, { watchMs: null }),
    /** The raw keyv-backed store, to write what a bug or a disk might. */
    raw: async () => (await openStore({ url })) as KeyvLogStore,
  };
}

/** After each test, pass or fail: no child left running, no Gatehouse open, no temp dir left. */
async function cleanUp(): Promise<void> {
  await killWriters();
  for (const c of cleanups.splice(0)) await c();
}

/** Writes `value` as commit `seq` of T1 through keyv, the way a buggy writer would. */
async function overwriteCommit(t: { url: string }, seq: number, value: unknown): Promise<void> {
  const store = (await openStore({ url: t.url })) as KeyvLogStore;
  await store.keyv.set(`a:T1:c:${seq}`, value).finally(() => store.close());
}

describe('persistence: SQLite', () => {
  afterEach(cleanUp);

  it('a reopened file answers exactly as before: roles, can(), evaluate(), keys and the audit chain', async () => {
    const t = await setup();
    const clock = new FakeClock();
    const gh1 = await t.open({ clock });
    const { w, before, json } = await recordedWorld(gh1, 'T1');
    const events = (await w.account.auditEvents()).length;
    // The world has what it claims: a group grant, a time-bound grant, a custom role in force.
    assert.ok(before.can['UGRP2@payments']?.includes('version:approve:qa'));
    assert.ok(before.can['UTEMP@*']?.includes('gate:override'));
    assert.ok(before.can['UDEV@payments']?.includes('deployment:create'));
    assert.deepEqual(before.evaluations[0]?.missing, ['security: rejected by USEC']);
    await t.close(gh1);

    const gh2 = await t.open({ clock });
    const account = await gh2.account('T1');
    assert.deepEqual(observe(account, w.versionId), before);
    assert.deepEqual(stateJson(account), json);
    assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events, lastHash: account.view.lastHash });
    const principal = await gh2.authenticate(w.secrets.apiKey);
    assert.equal(principal.account.id, 'T1');
    assert.equal(principal.key.id, w.keyIds.apiKey);
    assert.equal((await gh2.authenticate(w.secrets.token)).actor.userId, 'UDEV');

    // The expiry came back with the grant.
    clock.advance(3 * 3_600_000);
    assert.equal(account.can('UTEMP', 'gate:override'), false);
    // And the reopened log continues where it stopped.
    const seq = account.seq;
    await account.assignRole({ userId: ADMIN }, { subject: { type: 'user', id: 'UQA2' }, roleId: 'security' });
    assert.equal(account.seq, seq + 1);
    assert.equal((await account.verifyAudit(SYSTEM)).ok, true);
  });

  it('replay from a snapshot gives the same state as replay from zero', async () => {
    const t = await setup();
    const clock = new FakeClock();
    const gh1 = await t.open({ clock, snapshotEvery: 5 });
    const { w, before, json } = await recordedWorld(gh1, 'T1', { snapshotEvery: 5 });
    await t.close(gh1);

    const fromSnap = await t.openSpied({ clock });
    const a = await fromSnap.gh.account('T1');
    const snap = await fromSnap.spy.loadSnapshot('T1');
    assert.ok(snap && snap.seq > 0 && snap.seq < a.seq, `a snapshot in the middle (snapshot ${snap?.seq}, log ${a.seq})`);
    assert.deepEqual(fromSnap.spy.readFrom, [snap.seq]);

    const fromZero = await t.openSpied({ clock, snapshots: false });
    const b = await fromZero.gh.account('T1');
    assert.deepEqual(fromZero.spy.readFrom, [0]);

    assert.deepEqual(stateJson(a), stateJson(b));
    assert.deepEqual(stateJson(a), json);
    assert.deepEqual(observe(a, w.versionId), before);
    assert.deepEqual(observe(b, w.versionId), before);
    assert.equal((await a.verifyAudit(SYSTEM)).ok, true);
  });
});

describe('persistence: stored data is validated on read', () => {
  afterEach(cleanUp);

  /** An account with a few commits; commit 4 is the group's qa grant. */
  async function stored() {
    const t = await setup();
    const { json, grant } = await storedAccount(t);
    /** Writes `value` under `key` through keyv, the way a buggy writer would. */
    const overwrite = async (key: string, value: unknown) => {
      const store = await t.raw();
      await store.keyv.set(key, value).finally(() => store.close());
    };
    /** Reopens over a spied store: replay must start after commit `from` and give back the stored state exactly. */
    const assertRebuiltFrom = async (from: number, message?: string) => {
      const { gh: again, spy } = await t.openSpied();
      const account = await again.account('T1');
      assert.deepEqual(spy.readFrom, [from], message);
      assert.deepEqual(stateJson(account), json);
    };
    return { t, json, grant, overwrite, assertRebuiltFrom };
  }

  commitCorruptionTests(setup, overwriteCommit);

  // Below keyv: what a torn write, another program or a disk could leave in the row.
  const rawRows: [string, string][] = [
    ['bytes that are not JSON', '{"value":{"v":1,"se'],
    ['JSON that is no keyv record', '{"v":1,"seq":4}'],
    ['a keyv record without a value', '{"value":null,"expires":null}'],
    ['the JSON null', 'null'],
  ];
  for (const [what, bytes] of rawRows) {
    it(`a row holding ${what} fails with storage_corrupt, not a log that silently ends before it`, async () => {
      const { t } = await stored();
      const db = new KeyvSqlite({ uri: t.url });
      try {
        await db.query('UPDATE keyv SET value = ? WHERE key = ?', bytes, 'gatehouse:a:T1:c:4');
        const rows = (await db.query('SELECT value FROM keyv WHERE key = ?', 'gatehouse:a:T1:c:4')) as { value: string }[];
        assert.equal(rows[0]?.value, bytes);
      } finally {
        await db.disconnect();
      }
      const gh = await t.open();
      await assert.rejects(gh.account('T1'), (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt' && e.message.includes('T1#4'));
    });
  }

  it('a commit row deleted from the middle of the log fails with storage_corrupt, not a shortened account', async () => {
    const { t } = await stored();
    const store = await t.raw();
    assert.equal(await store.keyv.delete('a:T1:c:3'), true);
    await store.close();
    const gh = await t.open();
    await assert.rejects(gh.account('T1'), (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt' && /commit 3 of T1 is missing but commit 4 exists/.test(e.message));
  });

  it('a hole just past a full read batch is found too (the next batch is looked at)', async () => {
    const t = await setup();
    const gh = await t.open();
    const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
    for (let i = 0; i < 205; i++) await account.ensureUser({ userId: `U${String(i)}` });
    const last = account.seq;
    await t.close(gh);
    const store = await t.raw();
    // Rows 1..200 are one read batch: with row 200 gone, nothing after the hole is in that batch.
    assert.equal(await store.keyv.delete('a:T1:c:200'), true);
    await store.close();
    const again = await t.open();
    await assert.rejects(again.account('T1'), (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt' && e.message.includes('commit 200 of T1 is missing but commit 201 exists'));
    await t.close(again);
    assert.ok(last > 201);
  });

  it('a deleted tail (the head record says more) fails loading with storage_corrupt naming the account and both seqs', async () => {
    const { t } = await stored();
    const store = await t.raw();
    assert.equal(await store.keyv.delete('a:T1:c:5'), true);
    await store.close();
    const gh = await t.open();
    await assert.rejects(gh.account('T1'), isCorrupt(/the log of account T1 ends at commit 4 but its head record says 5/));
  });

  it('a log written before head records were kept still loads, and its next append adds the head', async () => {
    const { t, json } = await stored();
    const store = await t.raw();
    assert.equal(await store.keyv.get('a:T1:head'), 5);
    assert.equal(await store.keyv.delete('a:T1:head'), true);
    await store.close();
    const gh = await t.open();
    const account = await gh.account('T1');
    assert.deepEqual(stateJson(account), json);
    await account.ensureUser({ userId: 'UNEW' });
    await t.close(gh);
    const again = await t.raw();
    assert.equal(await again.keyv.get('a:T1:head'), 6);
    await again.close();
  });

  it('a commit edited into another valid one loads, but the audit chain shows where', async () => {
    const { t, grant, overwrite } = await stored();
    const forged = loose(grant);
    Object.assign(forged.events[0] ?? {}, { actor: 'UQA' });
    await overwrite('a:T1:c:4', forged);
    const gh = await t.open();
    const account = await gh.account('T1');
    assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: false, events: 6, brokenAt: '4.0', reason: 'hash_mismatch' });
  });

  it('an unreadable snapshot is ignored: the state is rebuilt from the log', async () => {
    const { overwrite, assertRebuiltFrom } = await stored();
    await overwrite('a:T1:snap', { v: 1, seq: 3, state: { nonsense: true } });
    await assertRebuiltFrom(0);
  });

  it('a snapshot whose state text no longer matches its sha256 is ignored: replay from zero', async () => {
    const { t, assertRebuiltFrom } = await stored();
    const gh = await t.open();
    await (await gh.account('T1')).snapshot();
    await t.close(gh);
    const store = await t.raw();
    const row = (await store.keyv.get('a:T1:snap')) as { v: number; seq: number; sha256: string; state: string };
    assert.equal(row.v, 2);
    assert.equal(row.seq, 5);
    // An edit that keeps the JSON valid and the shape right: only the hash can tell.
    await store.keyv.set('a:T1:snap', { ...row, state: row.state.replace('"qa"', '"admin"') });
    await store.close();
    await assertRebuiltFrom(0);
  });

  it('a snapshot in the earlier format (state inline, version 1) is still read', async () => {
    const { json, overwrite, assertRebuiltFrom } = await stored();
    await overwrite('a:T1:snap', { v: 1, seq: 5, state: json });
    await assertRebuiltFrom(5, 'replay starts after the snapshot');
  });

  it('a snapshot row that is not JSON is ignored as well', async () => {
    const { t, assertRebuiltFrom } = await stored();
    const db = new KeyvSqlite({ uri: t.url });
    try {
      await db.query('INSERT INTO keyv (key, value) VALUES (?, ?)', 'gatehouse:a:T1:snap', '{"value":{"v":1,');
    } finally {
      await db.disconnect();
    }
    await assertRebuiltFrom(0);
  });

  it('a corrupt auxiliary record (the account list) is refused too', async () => {
    const { t, overwrite } = await stored();
    await overwrite('m:accounts', { not: 'a list' });
    const gh = await t.open();
    await assert.rejects(gh.accountIds(), (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt');
  });
});

describe('persistence: a store that lost commits under a running instance', () => {
  afterEach(cleanUp);

  it('SQLite restored from an older copy: the instance refuses to write, names the account and both seqs, and writes nothing', async () => {
    const t = await setup();
    const { json } = await storedAccount(t);
    const gh = await t.open();
    const account = await gh.account('T1');
    assert.deepEqual(stateJson(account), json);
    // What restoring the file from a copy taken at commit 3 leaves: commits 4 and 5 and the head gone with them.
    const store = await t.raw();
    for (const key of ['a:T1:c:4', 'a:T1:c:5']) assert.equal(await store.keyv.delete(key), true);
    await store.keyv.set('a:T1:head', 3);
    await store.close();

    const lost = "account T1: this instance holds commit 5 but the store's log ends at 3: the store lost data; restore it or restart on a good copy";
    await assert.rejects(account.ensureUser({ userId: 'UNEW' }), isCorrupt(new RegExp(`^refusing to write to ${lost}$`)));
    assert.equal(account.seq, 5);
    const after = await t.raw();
    assert.deepEqual((await after.readCommits('T1', 0)).map((c) => c.seq), [1, 2, 3]);
    assert.equal(await after.keyv.get('a:T1:c:6'), undefined);
    await after.close();
    await assert.rejects(gh.store.checkHealth?.() ?? Promise.resolve(), isCorrupt(new RegExp(`^${lost}$`)));
  });

  it('the memory store refuses an append that would follow a hole as well', async () => {
    const gh = await Gatehouse.open({ url: 'memory' });
    const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UQA' });
    await account.ensureUser({ userId: 'UDEV' });
    const [c1, , c3] = await gh.store.readCommits('T1', 0);
    await gh.close();
    assert.ok(c1 && c3);
    const store = await openStore({ url: 'memory' });
    assert.equal(await store.tryAppend('T1', c1), true);
    assert.equal(await store.tryAppend('T1', c1), false);
    await assert.rejects(store.tryAppend('T1', c3), isCorrupt(/holds commit 2 but the store's log ends at 1/));
    assert.deepEqual((await store.readCommits('T1', 0)).map((c) => c.seq), [1]);
    await store.close();
  });
});

describe('persistence: a writer killed with SIGKILL mid-burst (SQLite)', function () {
  this.timeout(60_000);
  afterEach(cleanUp);

  sigkillTests(setup);
});

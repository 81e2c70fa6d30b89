import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import type { z } from 'zod';
import type { Commit, GatehouseOptions, KeyvLogStore, LogStore, Snapshot } from '../src/index.js';
import { FakeClock, Gatehouse, GatehouseError, SYSTEM, openStore } from '../src/index.js';
import { ADMIN, killWriters, observe, recordedWorld, spawnWriter, stateJson } from './support/child-writer.js';

/** A store that reports where each replay started, and can pretend no snapshot exists. */
class SpyStore implements LogStore {
  readonly readFrom: number[] = [];
  constructor(
    private readonly inner: LogStore,
    private readonly snapshots = true,
  ) {}
  get kind() {
    return this.inner.kind;
  }
  readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    this.readFrom.push(afterSeq);
    return this.inner.readCommits(accountId, afterSeq);
  }
  tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    return this.inner.tryAppend(accountId, commit);
  }
  async loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    return this.snapshots ? this.inner.loadSnapshot(accountId) : undefined;
  }
  saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    return this.inner.saveSnapshot(accountId, snapshot);
  }
  getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.inner.getMeta(key, schema);
  }
  setMeta(key: string, value: unknown): Promise<void> {
    return this.inner.setMeta(key, value);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

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
  const track = (gh: Gatehouse) => (opened.add(gh), gh);
  return {
    url,
    open: async (opts: Omit<GatehouseOptions, 'url'> = {}) => track(await Gatehouse.open({ url, watchMs: null, ...opts })),
    /** A Gatehouse over a spied store (snapshots on or off). */
    openSpied: async (opts: { clock?: FakeClock; snapshots?: boolean } = {}) => {
      const spy = new SpyStore(await openStore({ url }), opts.snapshots ?? true);
      return { gh: track(await Gatehouse.open({ store: spy, clock: opts.clock, watchMs: null })), spy };
    },
    close: async (gh: Gatehouse) => {
      opened.delete(gh);
      await gh.close();
    },
    /** The raw keyv-backed store, to write what a bug or a disk might. */
    raw: async () => (await openStore({ url })) as KeyvLogStore,
  };
}

/** After each test, pass or fail: no child left running, no Gatehouse open, no temp dir left. */
async function cleanUp(): Promise<void> {
  await killWriters();
  for (const c of cleanups.splice(0)) await c();
}

const seqsOf = (events: { seq: number }[]) => [...new Set(events.map((e) => e.seq))];
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

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
    const gh = await t.open();
    const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UQA' });
    await account.createGroup({ userId: ADMIN }, { groupId: 'qa-guild', name: 'QA', members: ['UQA'] });
    await account.assignRole({ userId: ADMIN }, { subject: { type: 'group', id: 'qa-guild' }, roleId: 'qa' });
    await account.assignRole({ userId: ADMIN }, { subject: { type: 'user', id: 'UQA' }, roleId: 'developer', teamId: 'general' });
    assert.equal(account.seq, 5);
    const json = stateJson(account);
    await t.close(gh);
    const raw = await t.raw();
    const [grant] = await raw.readCommits('T1', 3).finally(() => raw.close());
    assert.ok(grant);
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

  /** The commit as plain JSON, to break in ways the types would not allow. */
  type Loose = { seq: number; events: { type: string; data: { grant?: Record<string, unknown> } }[] };
  const loose = (c: Commit) => JSON.parse(JSON.stringify(c)) as Loose;

  const corruptions: [string, (c: Commit) => unknown][] = [
    ['a string instead of a commit', () => 'garbage'],
    ['no events', (c) => ({ ...loose(c), events: [] })],
    ['an unknown event type', (c) => ({ ...loose(c), events: loose(c).events.map((e) => ({ ...e, type: 'grant.vanished' })) })],
    [
      'a grant without a subject',
      (c) => {
        const l = loose(c);
        delete l.events[0]?.data.grant?.['subject'];
        return l;
      },
    ],
    ['the seq of another commit', (c) => ({ ...loose(c), seq: c.seq + 1 })],
  ];

  for (const [what, corrupt] of corruptions) {
    it(`a commit with ${what} fails loading with storage_corrupt, never a partial state`, async () => {
      const { t, grant, overwrite } = await stored();
      await overwrite('a:T1:c:4', corrupt(grant));
      const gh = await t.open();
      const isCorrupt = (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt' && /T1#4|commit 4 of T1/.test(e.message);
      await assert.rejects(gh.account('T1'), isCorrupt);
      // Not cached as a half-loaded account either.
      await assert.rejects(gh.account('T1'), isCorrupt);
    });
  }

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

describe('persistence: a writer killed with SIGKILL mid-burst (SQLite)', function () {
  this.timeout(60_000);
  afterEach(cleanUp);

  for (const killAfter of [30, 45, 60]) {
    it(`keeps every acknowledged commit (killed after ${killAfter} acknowledged writes)`, async () => {
      const t = await setup();
      const w = spawnWriter(`burst-${killAfter}`, { mode: 'burst', url: t.url, accountId: 'T1', snapshotEvery: 7, max: 100_000, maxMs: 40_000 });
      await w.until((ls) => (ls.filter((l) => l.startsWith('committed ')).length >= killAfter ? true : undefined), `${killAfter} committed lines`, 40_000);
      w.kill('SIGKILL');
      const exit = await w.exited;
      assert.equal(exit.signal, 'SIGKILL', 'the writer was still writing when killed');
      const reported = w.committed();
      assert.ok(reported.length >= killAfter);
      const maxSeq = Math.max(...reported.map((r) => r.seq));

      const gh = await t.open();
      const account = await gh.account('T1');
      assert.ok(account.seq >= maxSeq, `log ends at ${account.seq}, but the writer acknowledged ${maxSeq}`);
      const events = await account.auditEvents();
      assert.deepEqual(seqsOf(events), range(account.seq), 'no gaps in the log');
      for (const r of reported) {
        const commit = JSON.stringify(events.filter((e) => e.seq === r.seq));
        assert.ok(commit.includes(`"${r.id}"`), `commit ${r.seq} is the write that was acknowledged (${r.id}): ${commit.slice(0, 200)}`);
      }
      assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events: events.length, lastHash: account.view.lastHash });

      // Whatever snapshot the kill left behind agrees with the log.
      const zero = await t.openSpied({ snapshots: false });
      assert.deepEqual(stateJson(await zero.gh.account('T1')), stateJson(account));

      // And the file takes writes again.
      const seq = account.seq;
      await account.ensureUser({ userId: 'UAFTER' });
      assert.equal(account.seq, seq + 1);
      assert.equal((await account.verifyAudit(SYSTEM)).ok, true);
    });
  }
});

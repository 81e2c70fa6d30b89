/**
 * Tests every durable store must pass, written once and run per backend (SQLite, Redis,
 * PostgreSQL): a writer killed with SIGKILL, several processes on one account, commits that fail
 * validation. Each backend's test file starts its server and hands these a `Harness`.
 */
import assert from 'node:assert/strict';
import type { Actor, Commit, GatehouseOptions } from '../../src/index.js';
import { FakeClock, Gatehouse, GatehouseError, SYSTEM, openStore } from '../../src/index.js';
import type { Writer, WriterOptions } from './child-writer.js';
import { ADMIN, killWriters, observe, recordedWorld, spawnWriter, stateJson } from './child-writer.js';
import { SpyStore } from './spy-store.js';

/** Writer options minus where the store is (the harness's). */
export type OnStore<T> = T extends unknown ? Omit<T, 'url' | 'namespace'> : never;
type OpenOptions = Omit<GatehouseOptions, 'url' | 'namespace'>;

/** One test's store (a URL and namespace of its own) and the Gatehouses and writers on it. */
export interface Harness {
  readonly url: string;
  readonly namespace: string | undefined;
  /** A Gatehouse on the store, closed after the test. */
  open(opts?: OpenOptions): Promise<Gatehouse>;
  close(gh: Gatehouse): Promise<void>;
  /** A Gatehouse over a spied store (snapshots on or off), not watching. */
  openSpied(opts?: { clock?: FakeClock; snapshots?: boolean }): Promise<{ gh: Gatehouse; spy: SpyStore }>;
  /** A child-writer process on the same store. */
  writer(label: string, options: OnStore<WriterOptions>): Writer;
}

/** A harness whose Gatehouses land in `opened` (for the caller's afterEach to close), opened with `defaults`. */
export function harness(url: string, namespace: string | undefined, opened: Set<Gatehouse>, defaults: OpenOptions = {}): Harness {
  const track = (gh: Gatehouse) => (opened.add(gh), gh);
  return {
    url,
    namespace,
    open: async (opts = {}) => track(await Gatehouse.open({ url, namespace, ...defaults, ...opts })),
    close: async (gh) => {
      opened.delete(gh);
      await gh.close();
    },
    openSpied: async (opts = {}) => {
      const spy = new SpyStore(await openStore({ url, namespace }), opts.snapshots ?? true);
      return { gh: track(await Gatehouse.open({ store: spy, clock: opts.clock, watchMs: null })), spy };
    },
    writer: (label, options) => spawnWriter(label, { ...options, url, namespace }),
  };
}

/** A server the tests start (or are given): its URL, a fresh namespace per test, and its stop. */
export interface TestServer {
  readonly url: string;
  namespace(label: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a server for the enclosing describe (before its tests, stopped after them) and gives each
 * test a harness on a namespace of its own, whose Gatehouses and writers are closed after it.
 */
export function onServer<S extends TestServer>(start: () => Promise<S>) {
  let server: S | null = null;
  const opened = new Set<Gatehouse>();
  before(async function () {
    this.timeout(60_000);
    server = await start();
  });
  afterEach(() => closeAll(opened));
  after(async () => {
    await server?.stop();
  });
  const get = (): S => {
    if (!server) throw new Error('the server did not start');
    return server;
  };
  return { server: get, opened, setup: (label: string): Harness => harness(get().url, get().namespace(label), opened) };
}

/** Kills the writers still running and closes every Gatehouse in `opened` (afterEach, pass or fail). */
export async function closeAll(opened: Set<Gatehouse>): Promise<void> {
  await killWriters();
  for (const gh of opened) await gh.close().catch(() => undefined);
  opened.clear();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqsOf = (events: { seq: number }[]) => [...new Set(events.map((e) => e.seq))];
const admin: Actor = { userId: ADMIN };

/** Polls `check` every 100 ms until it holds; fails naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`${what} did not happen within ${ms} ms`);
}

/**
 * Waits until the store answers `gh` again after its server came back. The client reconnects by
 * itself (within about 2 s); until then every call fails at once with `storage_unavailable`.
 */
export async function reconnected(gh: Gatehouse): Promise<void> {
  const away = (e: unknown) => e instanceof GatehouseError && e.code === 'storage_unavailable';
  await until(() => (gh.store.checkHealth?.() ?? Promise.resolve()).then(() => true, (e: unknown) => !away(e)), 15_000, 'the store answering again');
}

/** `storage_corrupt` whose message matches `pattern`. */
export const isCorrupt = (pattern: RegExp) => (e: unknown) => e instanceof GatehouseError && e.code === 'storage_corrupt' && pattern.test(e.message);

// ---------------------------------------------------------------- stored data that fails validation

/**
 * An account with five commits, closed; commit 4 is the group's qa grant. Returns the state's
 * JSON and commit 4 as it was stored.
 */
export async function storedAccount(t: Harness): Promise<{ json: unknown; grant: Commit }> {
  const gh = await t.open({ watchMs: null });
  const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
  await account.ensureUser({ userId: 'UQA' });
  await account.createGroup({ userId: ADMIN }, { groupId: 'qa-guild', name: 'QA', members: ['UQA'] });
  await account.assignRole({ userId: ADMIN }, { subject: { type: 'group', id: 'qa-guild' }, roleId: 'qa' });
  await account.assignRole({ userId: ADMIN }, { subject: { type: 'user', id: 'UQA' }, roleId: 'developer', teamId: 'general' });
  assert.equal(account.seq, 5);
  const json = stateJson(account);
  await t.close(gh);
  const raw = await openStore({ url: t.url, namespace: t.namespace });
  const [grant] = await raw.readCommits('T1', 3).finally(() => raw.close());
  assert.ok(grant);
  return { json, grant };
}

/** The commit as plain JSON, to break in ways the types would not allow. */
type Loose = { seq: number; events: { type: string; data: { grant?: Record<string, unknown> } }[] };
export const loose = (c: Commit) => JSON.parse(JSON.stringify(c)) as Loose;

/** Commits that are valid JSON but no valid commit, each to be stored as commit 4. */
export const COMMIT_CORRUPTIONS: [string, (c: Commit) => unknown][] = [
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

/** For each corruption: stored as commit 4 by `overwrite`, loading fails with storage_corrupt. */
export function commitCorruptionTests(setup: () => Promise<Harness>, overwrite: (t: Harness, seq: number, value: unknown) => Promise<void>): void {
  for (const [what, corrupt] of COMMIT_CORRUPTIONS) {
    it(`a commit with ${what} fails loading with storage_corrupt, never a partial state`, async () => {
      const t = await setup();
      const { grant } = await storedAccount(t);
      await overwrite(t, 4, corrupt(grant));
      const gh = await t.open({ watchMs: null });
      const corruptAt4 = isCorrupt(/T1#4|commit 4 of T1/);
      await assert.rejects(gh.account('T1'), corruptAt4);
      // Not cached as a half-loaded account either.
      await assert.rejects(gh.account('T1'), corruptAt4);
    });
  }
}

// ---------------------------------------------------------------- a writer killed with SIGKILL

/** A child writes a burst and is killed with SIGKILL after N acknowledged writes: every acknowledged commit is there. */
export function sigkillTests(setup: () => Promise<Harness>): void {
  for (const killAfter of [30, 45, 60]) {
    it(`keeps every acknowledged commit (killed after ${killAfter} acknowledged writes)`, async () => {
      const t = await setup();
      const w = t.writer(`burst-${killAfter}`, { mode: 'burst', accountId: 'T1', snapshotEvery: 7, max: 100_000, maxMs: 40_000 });
      await w.until((ls) => (ls.filter((l) => l.startsWith('committed ')).length >= killAfter ? true : undefined), `${killAfter} committed lines`, 40_000);
      w.kill('SIGKILL');
      const exit = await w.exited;
      assert.equal(exit.signal, 'SIGKILL', 'the writer was still writing when killed');
      const reported = w.committed();
      assert.ok(reported.length >= killAfter);
      const maxSeq = Math.max(...reported.map((r) => r.seq));

      const gh = await t.open({ watchMs: null });
      const account = await gh.account('T1');
      assert.ok(account.seq >= maxSeq, `log ends at ${account.seq}, but the writer acknowledged ${maxSeq}`);
      const events = await account.auditEvents();
      assert.deepEqual(seqsOf(events), range(1, account.seq), 'no gaps in the log');
      for (const r of reported) {
        const commit = JSON.stringify(events.filter((e) => e.seq === r.seq));
        assert.ok(commit.includes(`"${r.id}"`), `commit ${r.seq} is the write that was acknowledged (${r.id}): ${commit.slice(0, 200)}`);
      }
      assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events: events.length, lastHash: account.view.lastHash });

      // Whatever snapshot the kill left behind agrees with the log.
      const zero = await t.openSpied({ snapshots: false });
      assert.deepEqual(stateJson(await zero.gh.account('T1')), stateJson(account));

      // And the store takes writes again.
      const seq = account.seq;
      await account.ensureUser({ userId: 'UAFTER' });
      assert.equal(account.seq, seq + 1);
      assert.equal((await account.verifyAudit(SYSTEM)).ok, true);
    });
  }
}

// ---------------------------------------------------------------- several processes on one account

/** `done ok <seq> lost=<n>` or `done refused <code> lost=<n>` from a race writer. */
function outcome(line: string) {
  const m = /^done (ok|refused) (\S+) lost=(\d+)$/.exec(line);
  assert.ok(m, `unexpected result line '${line}'`);
  return { ok: m[1] === 'ok', detail: m[2] ?? '', lost: Number(m[3]) };
}

/** How quickly another process's commit must show without refresh(), and with what watch interval. */
export interface Visibility {
  /** Says how it gets there, for the test's title ("within 1 s"). */
  readonly title: string;
  readonly withinMs: number;
  /** The parent's watchMs (undefined: the store's default polling). */
  readonly watchMs?: number;
}

/** Shared stores: reopen, the last-admin race, concurrent approvals, and how soon other processes' commits show. */
export function multiProcessTests(setup: (label: string) => Harness, visibility: Visibility): void {
  it('writes, closes, reopens and reads back the same state (snapshot included)', async () => {
    const t = setup('reopen');
    const clock = new FakeClock();
    const gh1 = await t.open({ clock, snapshotEvery: 5 });
    const { w, before, json } = await recordedWorld(gh1, 'T1', { snapshotEvery: 5 });
    const events = (await w.account.auditEvents()).length;
    await t.close(gh1);

    const gh2 = await t.open({ clock });
    const snap = await gh2.store.loadSnapshot('T1');
    assert.ok(snap && snap.seq > 0 && snap.seq < before.seq, 'a snapshot in the middle of the log');
    const account = await gh2.account('T1');
    assert.deepEqual(observe(account, w.versionId), before);
    assert.deepEqual(stateJson(account), json);
    assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events, lastHash: account.view.lastHash });
    assert.equal((await gh2.authenticate(w.secrets.apiKey)).key.id, w.keyIds.apiKey);
    assert.deepEqual(await gh2.accountIds(), ['T1']);
  });

  it("two processes revoking each other's Admin grant at once: exactly one wins, one Admin remains (10 rounds)", async function () {
    this.timeout(120_000);
    const t = setup('race');
    const gh = await t.open();
    const p1 = t.writer('race-UA', { mode: 'race', actor: 'UA', target: 'UB' });
    const p2 = t.writer('race-UB', { mode: 'race', actor: 'UB', target: 'UA' });
    for (let round = 0; round < 10; round++) {
      const accountId = `race${round}`;
      const account = await gh.createAccount(accountId, { name: 'Race', admins: [{ userId: 'UA' }, { userId: 'UB' }] });
      const ua: Actor = { userId: 'UA' };
      await account.ensureUser({ userId: 'UM' });
      const manager = await account.createRole(ua, { name: 'User manager', scope: 'global', permissions: ['user_role:manage'] });
      await account.assignRole(ua, { subject: { type: 'user', id: 'UM' }, roleId: manager.id });
      assert.deepEqual(account.admins().sort(), ['UA', 'UB']);
      const seq = account.seq;
      // Even rounds hold both processes just before their append, so both decided against the
      // same state and the insert-if-absent race is certain; odd rounds only share the start.
      const hold = round % 2 === 0;
      for (const p of [p1, p2]) p.send(`round ${accountId} ${hold ? 'hold' : 'free'}`);
      assert.deepEqual(await Promise.all([p1.line('ready '), p2.line('ready ')]), [`ready ${seq}`, `ready ${seq}`]);
      p1.send('go');
      p2.send('go');
      if (hold) {
        assert.deepEqual(await Promise.all([p1.line('appending '), p2.line('appending ')]), [`appending ${seq + 1}`, `appending ${seq + 1}`]);
        p1.send('append');
        p2.send('append');
      }
      const results = (await Promise.all([p1.line('done '), p2.line('done ')])).map(outcome);

      const winners = results.filter((r) => r.ok);
      const losers = results.filter((r) => !r.ok);
      assert.equal(winners.length, 1, `round ${round}: exactly one revocation succeeds: ${JSON.stringify(results)}`);
      assert.equal(winners[0]?.detail, String(seq + 1));
      // The loser re-decided after the winner's commit: it is no longer an Admin (forbidden) or would remove the last one.
      assert.ok(['forbidden', 'last_admin'].includes(losers[0]?.detail ?? ''), `round ${round}: refused with ${losers[0]?.detail}`);
      if (hold) assert.deepEqual(results.map((r) => r.lost).sort(), [0, 1], `round ${round}: one append lost the race and was re-decided`);

      await account.refresh();
      const winner = results[0]?.ok ? 'UA' : 'UB';
      assert.deepEqual(account.admins(), [winner], `round ${round}: one Admin remains`);
      assert.equal(account.seq, seq + 1);
      assert.equal((await account.verifyAudit(SYSTEM)).ok, true);
    }
    for (const p of [p1, p2]) p.send('quit');
    assert.deepEqual((await Promise.all([p1.exited, p2.exited])).map((e) => e.code), [0, 0]);
  });

  it('50 approvals from two processes at once: none lost, seqs contiguous, chain intact', async function () {
    this.timeout(120_000);
    const t = setup('approvals');
    const gh = await t.open();
    const account = await gh.createAccount('appr', { name: 'Approvals', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UDEV' });
    await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'developer', teamId: 'payments' });
    await account.createProduct(admin, { productId: 'checkout', name: 'Checkout', teamId: 'payments' });
    await account.createEnvironment(admin, { environmentId: 'production', name: 'production', production: true });
    await account.createRule(admin, { environmentId: 'production', requirements: [{ type: 'qa', quorum: 20 }] });
    const approvers = range(0, 49).map((i) => `UQA${String(i).padStart(2, '0')}`);
    for (const userId of approvers) await account.ensureUser({ userId });
    await account.createGroup(admin, { groupId: 'qa-guild', name: 'QA guild', members: approvers });
    await account.assignRole(admin, { subject: { type: 'group', id: 'qa-guild' }, roleId: 'qa', teamId: 'payments' });
    const { version } = await account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '3.0.0' });
    const seq0 = account.seq;

    const writers = [approvers.slice(0, 25), approvers.slice(25)].map((list, i) =>
      t.writer(`approve-${i}`, { mode: 'approve', accountId: 'appr', versionId: version.id, approvers: list, hold: true }),
    );
    await Promise.all(writers.map((w) => w.line('ready ')));
    for (const w of writers) w.send('go');
    await Promise.all(writers.map((w) => w.line('appending ')));
    for (const w of writers) w.send('append');
    const done = await Promise.all(writers.map((w) => w.line('done ', 60_000)));
    assert.deepEqual((await Promise.all(writers.map((w) => w.exited))).map((e) => e.code), [0, 0]);

    const reported = writers.flatMap((w) => w.committed());
    assert.deepEqual(reported.map((r) => r.id).sort(), approvers);
    assert.deepEqual(reported.map((r) => r.seq).sort((a, b) => a - b), range(seq0 + 1, seq0 + 50), 'one commit each, no seq used twice');
    const lost = done.reduce((n, l) => n + Number(/lost=(\d+)/.exec(l)?.[1] ?? 'NaN'), 0);
    assert.ok(lost >= 1, 'the processes really raced (at least one append lost and was re-decided)');

    // The parent learns of them without writing anything itself.
    await account.refresh();
    assert.equal(account.seq, seq0 + 50);
    const qa = account.evaluate({ versionId: version.id, environmentId: 'production' }).requirements[0];
    assert.deepEqual([...(qa?.approvedBy ?? [])].sort(), approvers);
    const events = await account.auditEvents();
    assert.equal(events.filter((e) => e.type === 'version.decided').length, 50);
    assert.deepEqual([...new Set(events.map((e) => e.seq))], range(1, account.seq), 'the log has no gaps');
    assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events: events.length, lastHash: account.view.lastHash });
    // Replaying the shared log from scratch gives what the parent built incrementally.
    const fresh = await (await t.open({ watchMs: null })).account('appr');
    assert.deepEqual(stateJson(fresh), stateJson(account));
  });

  it(`a change committed in one process shows in another process's can() ${visibility.title}, without refresh()`, async function () {
    this.timeout(60_000);
    const t = setup('visibility');
    const gh = await t.open(visibility.watchMs === undefined ? {} : { watchMs: visibility.watchMs });
    const account = await gh.createAccount('vis', { name: 'Visible', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UDEV' });
    await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
    const w = t.writer('toggle', { mode: 'toggle', accountId: 'vis', actor: ADMIN, userId: 'UDEV', roleId: 'developer', teamId: 'payments' });
    await w.line('ready ');
    const can = () => account.can('UDEV', 'version:create', 'payments');
    for (const [cmd, expected] of [
      ['grant', true],
      ['revoke', false],
      ['grant', true],
    ] as const) {
      assert.equal(can(), !expected);
      const n = w.committed().length;
      w.send(cmd);
      const [commit] = await w.until((ls) => (ls.filter((l) => l.startsWith('committed ')).length > n ? w.committed().slice(n) : undefined), `${cmd} committed`);
      const start = Date.now();
      while (can() !== expected && Date.now() - start < visibility.withinMs) await sleep(10);
      const elapsed = Date.now() - start;
      assert.equal(can(), expected, `${cmd} not visible after ${elapsed} ms`);
      assert.ok(elapsed < visibility.withinMs);
      assert.equal(account.seq, commit?.seq);
    }
    w.send('quit');
    assert.equal((await w.exited).code, 0);
  });
}

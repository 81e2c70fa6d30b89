import assert from 'node:assert/strict';
import type { Actor, GatehouseOptions } from '../src/index.js';
import { FakeClock, Gatehouse, SYSTEM } from '../src/index.js';
import type { Writer, WriterOptions } from './support/child-writer.js';
import { ADMIN, killWriters, observe, recordedWorld, spawnWriter, stateJson } from './support/child-writer.js';
import type { TestRedis } from './support/redis-server.js';
import { startRedis } from './support/redis-server.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const admin: Actor = { userId: ADMIN };
/** Writer options minus where the store is (each test's own namespace). */
type OnStore<T> = T extends unknown ? Omit<T, 'url' | 'namespace'> : never;

/** `done ok <seq> lost=<n>` or `done refused <code> lost=<n>` from a race writer. */
function outcome(line: string) {
  const m = /^done (ok|refused) (\S+) lost=(\d+)$/.exec(line);
  assert.ok(m, `unexpected result line '${line}'`);
  return { ok: m[1] === 'ok', detail: m[2] ?? '', lost: Number(m[3]) };
}

describe('Redis: several processes on one account (real redis-server)', function () {
  this.timeout(60_000);
  let redis: TestRedis | null = null;
  const opened = new Set<Gatehouse>();

  before(async function () {
    this.timeout(30_000);
    redis = await startRedis();
  });
  afterEach(async () => {
    await killWriters();
    for (const gh of opened) await gh.close().catch(() => undefined);
    opened.clear();
  });
  after(async () => {
    await redis?.stop();
  });

  /** A namespace of its own for each test, and Gatehouses on it that are closed afterwards. */
  function setup(label: string) {
    if (!redis) throw new Error('redis did not start');
    const url = redis.url;
    const namespace = redis.namespace(label);
    return {
      url,
      namespace,
      open: async (opts: Omit<GatehouseOptions, 'url' | 'namespace'> = {}) => {
        const gh = await Gatehouse.open({ url, namespace, ...opts });
        opened.add(gh);
        return gh;
      },
      close: async (gh: Gatehouse) => {
        opened.delete(gh);
        await gh.close();
      },
      writer: (name: string, options: OnStore<WriterOptions>): Writer => spawnWriter(name, { ...options, url, namespace }),
    };
  }

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

  it('two processes revoking each other\'s Admin grant at once: exactly one wins, one Admin remains (10 rounds)', async function () {
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
      // same state and the SET NX race is certain; odd rounds only share the start.
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

  it("a change committed in one process shows in another process's can() within 1 s, without refresh()", async function () {
    this.timeout(60_000);
    const t = setup('visibility');
    const gh = await t.open(); // default polling for Redis
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
      while (can() !== expected && Date.now() - start < 1_000) await sleep(10);
      const elapsed = Date.now() - start;
      assert.equal(can(), expected, `${cmd} not visible after ${elapsed} ms`);
      assert.ok(elapsed < 1_000);
      assert.equal(account.seq, commit?.seq);
    }
    w.send('quit');
    assert.equal((await w.exited).code, 0);
  });
});

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor, Commit, Logger } from '../src/index.js';
import { Gatehouse, GatehouseError, openStore, own } from '../src/index.js';
import { freePort } from './support/server-process.js';
import { ADMIN } from './support/child-writer.js';
import type { OwnPostgres } from './support/postgres-server.js';
import { startOwnPostgres } from './support/postgres-server.js';
import type { OwnRedis } from './support/redis-server.js';
import { startOwnRedis } from './support/redis-server.js';
import type { Harness } from './support/store-suites.js';
import { onServer, reconnected, until } from './support/store-suites.js';
import { SpyStore } from './support/spy-store.js';

/** The longest a write may take to be refused while the store is down (README, "When the store is down"). */
const BOUND_MS = 5_000;
const admin: Actor = { userId: ADMIN };

function recording(): Logger & { lines: { level: string; msg: string; facts: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; facts: Record<string, unknown> }[] = [];
  const log = (level: string) => (msg: string, facts: Record<string, unknown> = {}) => void lines.push({ level, msg, facts });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** `storage_unavailable` saying nothing was changed. */
const unchanged = (e: unknown) => e instanceof GatehouseError && e.code === 'storage_unavailable' && e.details['outcome'] === 'unchanged' && /nothing was changed/.test(e.message);

/** How each promise settled, or 'pending' for those still running after `ms`. */
async function settledWithin(ms: number, promises: Promise<unknown>[]): Promise<(PromiseSettledResult<unknown> | 'pending')[]> {
  const late = Symbol('late');
  const timer = sleep(ms, late);
  return Promise.all(promises.map(async (p) => {
    const r = await Promise.race([p.then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })), timer]);
    return r === late ? ('pending' as const) : r;
  }));
}

/** The log of T1 as a fresh reader finds it. */
async function logOf(t: Harness): Promise<Commit[]> {
  const raw = await openStore({ url: t.url, namespace: t.namespace });
  try {
    return await raw.readCommits('T1', 0);
  } finally {
    await raw.close();
  }
}

/**
 * What every networked store must do while its server is down: refuse writes at once with
 * `storage_unavailable` (never queue them, never hang), write nothing, keep polling without
 * flooding the log, and take writes again once the server is back, without a restart.
 */
function outageTests(setup: (label: string) => Harness, server: () => { kill(): Promise<void>; restart(): Promise<void> }) {
  // A test that failed half-way leaves the server down: the next one starts with it up.
  afterEach(() => server().restart());
  it(`a write while the store is down is refused within ${BOUND_MS / 1000} s with storage_unavailable; nothing is written; once it is back, writes work again without a restart`, async () => {
    const t = setup('down');
    const logger = recording();
    // The default watch: the poll loop runs through the outage.
    const gh = await t.open({ logger });
    const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
    await account.ensureUser({ userId: 'UDEV' });
    const ci = await gh.createKey(account, admin, { name: 'CI' });
    const held = account.seq;
    await server().kill();

    const started = Date.now();
    const writes = await settledWithin(BOUND_MS + 1_000, [
      account.createTeam(admin, { teamId: 'checkout', name: 'Checkout' }),
      account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'qa' }),
      account.ensureUser({ userId: 'UQA' }),
    ]);
    const took = Date.now() - started;
    for (const w of writes) {
      assert.ok(w !== 'pending', `a write was still waiting after ${BOUND_MS + 1_000} ms`);
      assert.ok(w.status === 'rejected' && unchanged(w.reason), `storage_unavailable, nothing changed: ${w.status === 'rejected' ? String(w.reason) : 'it succeeded'}`);
    }
    assert.ok(took < BOUND_MS, `refused within ${BOUND_MS} ms (took ${took} ms)`);
    assert.equal(account.seq, held, 'nothing was applied');
    // What changes nothing is answered from memory, as reads are.
    assert.equal((await account.ensureUser({ userId: 'UDEV' })).id, 'UDEV');

    const probed = Date.now();
    await assert.rejects(gh.store.checkHealth?.() ?? Promise.resolve(), (e) => e instanceof GatehouseError && e.code === 'storage_unavailable');
    assert.ok(Date.now() - probed < 2_000, 'the health check answers within 2 s');

    // The poll loop (every 250 ms on Redis, 1 s on PostgreSQL) goes on failing: one line says so, not one per poll.
    await sleep(2_500);
    const said = logger.lines.filter((l) => l.level !== 'info');
    assert.equal(said.length, 1, said.map((l) => `${l.level}: ${l.msg}`).join('\n'));
    assert.match(said[0]?.msg ?? '', /cannot reach the store/);

    // A key this instance has seen is still recognised: which account it belongs to is not read again.
    assert.equal((await gh.authenticate(ci.secret)).account.id, 'T1');

    await server().restart();
    await reconnected(gh);
    await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
    assert.equal(account.seq, held + 1);
    const log = await logOf(t);
    assert.deepEqual(log.map((c) => c.seq), Array.from({ length: held + 1 }, (_, i) => i + 1), 'the commits before the outage and the one after it');
    const text = JSON.stringify(log);
    assert.ok(!text.includes('checkout') && !text.includes('UQA') && !text.includes('"qa"'), 'nothing of the refused writes is in the log');
    await until(() => logger.lines.some((l) => l.level === 'info' && /store answers again/.test(l.msg)), 5_000, 'the poll loop saying the store is back');
  });
}

describe('opening a store whose server is not there', function () {
  this.timeout(30_000);
  for (const scheme of ['redis', 'postgres'] as const) {
    it(`${scheme}: refused within the open timeout, naming the server (not its password) and what to do`, async () => {
      const port = await freePort();
      const url = scheme === 'redis' ? `redis://:s3cret@127.0.0.1:${port}` : `postgres://gatehouse:s3cret@127.0.0.1:${port}/gatehouse`;
      const started = Date.now();
      const err = await openStore({ url, openTimeoutMs: 2_000 }).then(
        () => assert.fail('opened a store with no server behind it'),
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      assert.ok(err instanceof GatehouseError && err.code === 'storage_unavailable', String(err));
      assert.match(err.message, new RegExp(`^the store at ${scheme}://127\\.0\\.0\\.1:${port} cannot be reached \\(.+\\): start it, or set GATEHOUSE_STORE to one that runs$`));
      assert.ok(!err.message.includes('s3cret'), err.message);
      assert.ok(took < 4_000, `took ${took} ms`);
    });
  }
});

describe('a store that goes down under a running instance', function () {
  this.timeout(60_000);

  describe('Redis (real redis-server, appendonly)', () => {
    const { server, setup } = onServer<OwnRedis>(() => startOwnRedis({ appendonly: true }));
    outageTests(setup, server);

    it(`a Redis that stops answering (SIGSTOP) holds no write longer than ${BOUND_MS / 1000} s; once it goes on, writes work again`, async () => {
      const t = setup('frozen');
      const gh = await t.open({ watchMs: null });
      const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
      const held = account.seq;
      // The reads and writes of a write all wait on a connection nothing comes back on.
      server().freeze();
      try {
        const started = Date.now();
        const [w] = await settledWithin(BOUND_MS + 2_000, [account.createTeam(admin, { teamId: 'checkout', name: 'Checkout' })]);
        const took = Date.now() - started;
        assert.ok(w && w !== 'pending', `the write was still waiting after ${BOUND_MS + 2_000} ms`);
        assert.ok(w.status === 'rejected' && unchanged(w.reason), w.status === 'rejected' ? String(w.reason) : 'it succeeded');
        assert.ok(took < BOUND_MS, `refused within ${BOUND_MS} ms (took ${took} ms)`);
      } finally {
        server().thaw();
      }
      await reconnected(gh);
      await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
      assert.equal(account.seq, held + 1);
      const log = await logOf(t);
      assert.equal(log.length, held + 1);
      assert.ok(!JSON.stringify(log).includes('checkout'), 'nothing of the refused write is in the log');
    });
  });

  describe('PostgreSQL (real postgres server, stopped as by pg_ctl stop -m immediate)', () => {
    const { server, setup } = onServer<OwnPostgres>(startOwnPostgres);
    outageTests(setup, server);

    it('the LISTEN connection comes back by itself: another instance, polling only every 60 s, sees a commit made after the restart within 3 s', async () => {
      const t = setup('listen');
      const logger = recording();
      const a = await t.open();
      const b = await t.open({ logger, watchMs: 60_000 });
      const writer = await a.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
      const reader = await b.account('T1');
      await server().kill();
      await sleep(1_500);
      await server().restart();
      await reconnected(a);
      await writer.createTeam(admin, { teamId: 'payments', name: 'Payments' });
      // Likely made before it listens again: it catches up on what it may have missed as soon as it does.
      await until(() => reader.seq === writer.seq, 3_000, 'the other instance seeing the commit');
      assert.deepEqual(logger.lines, [], 'losing and regaining LISTEN is not worth a line');
    });
  });

  describe('the write deadline (a store that takes an append and does not answer)', () => {
    /** A memory store whose appends wait while it is stalled, then land. */
    class StalledStore extends SpyStore {
      private gate: Promise<void> | null = null;
      private release = () => {};
      stall(): void {
        this.gate = new Promise((resolve) => (this.release = resolve));
      }
      go(): void {
        this.release();
        this.gate = null;
      }
      override async tryAppend(accountId: string, commit: Commit): Promise<boolean> {
        if (this.gate) await this.gate;
        return super.tryAppend(accountId, commit);
      }
    }

    it(`the write waiting on its append is refused at ${BOUND_MS / 1000} s as maybe recorded, the one queued behind it as unchanged and never made; the late append is applied`, async () => {
      const store = new StalledStore(await openStore({ url: 'memory' }));
      const gh = await Gatehouse.open({ store, watchMs: null });
      try {
        const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
        const held = account.seq;
        store.stall();
        const started = Date.now();
        const [first, second] = await settledWithin(BOUND_MS + 1_000, [account.createTeam(admin, { teamId: 'checkout', name: 'Checkout' }), account.createTeam(admin, { teamId: 'payments', name: 'Payments' })]);
        const took = Date.now() - started;
        assert.ok(took >= BOUND_MS - 50 && took < BOUND_MS + 500, `answered at the deadline (took ${took} ms)`);
        const refusal = (w: typeof first) => (w && w !== 'pending' && w.status === 'rejected' && w.reason instanceof GatehouseError && w.reason.code === 'storage_unavailable' ? w.reason : null);
        assert.equal(refusal(first)?.details['outcome'], 'unknown', 'the first write was sent: it may land');
        assert.match(refusal(first)?.message ?? '', /may or may not have been recorded: check before trying again/);
        assert.ok(unchanged(refusal(second)), 'the second write never reached the store');
        assert.equal(account.seq, held);

        store.go();
        await until(() => account.seq === held + 1, 2_000, 'the late append being applied');
        await sleep(200);
        assert.equal(account.seq, held + 1, 'the write queued behind it was dropped, not made late');
        assert.ok(own(account.view.teams, 'checkout'));
        assert.equal(own(account.view.teams, 'payments'), undefined);
        await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
        assert.equal(account.seq, held + 2);
      } finally {
        await gh.close();
      }
    });
  });
});

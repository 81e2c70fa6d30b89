import assert from 'node:assert/strict';
import type { Account } from '../src/index.js';
import { FakeClock, Gatehouse, openStore } from '../src/index.js';
import type { TestRedis } from './support/redis-server.js';
import { startRedis } from './support/redis-server.js';

const H = 3_600_000;

/** An account where version 1.0.0 of checkout waits for QA in production, reminded every hour. */
async function arrange(account: Account, clock: FakeClock): Promise<string> {
  const admin = { userId: 'UADMIN' };
  await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
  await account.createProduct(admin, { productId: 'checkout', name: 'Checkout', teamId: 'payments' });
  await account.createEnvironment(admin, { environmentId: 'production', name: 'Production', production: true });
  await account.createRule(admin, { environmentId: 'production', requirements: [{ type: 'qa', quorum: 1 }], policy: { remindAfterMs: H, remindEveryMs: H } });
  await account.ensureUser({ userId: 'UDEV' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'developer' });
  const { version } = await account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '1.0.0' });
  await account.requestApproval({ userId: 'UDEV' }, { versionId: version.id, environmentId: 'production' });
  clock.advance(5 * H + 1);
  return version.id;
}

const reminders = async (a: Account) => (await a.auditEvents()).filter((e) => e.type === 'approval.reminded').length;

describe('follow-up across restarts and instances', function () {
  this.timeout(60_000);

  it('after a restart, what fell due while the server was down fires once', async () => {
    const store = await openStore({ url: 'memory' });
    const clock = new FakeClock();
    const before = await Gatehouse.open({ store, clock, watchMs: null });
    const a = await before.createAccount('T1', { name: 'Acme', admins: [{ userId: 'UADMIN' }] });
    await arrange(a, clock);
    // "Down" for five hours: the restarted instance rebuilds the schedule from the log.
    const after = await Gatehouse.open({ store, clock, watchMs: null });
    const b = await after.account('T1');
    assert.equal((await b.runFollowUps()).reminders, 1);
    assert.equal((await b.runFollowUps()).reminders, 0);
    assert.equal(await reminders(b), 1);
    await after.close();
  });

  describe('two instances on one Redis', () => {
    let redis: TestRedis;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis.stop();
    });

    it('fire each due item exactly once, however the ticks interleave', async () => {
      const clock = new FakeClock();
      const ns = `followup${Date.now()}`;
      const a = await Gatehouse.open({ url: redis.url, namespace: ns, clock, watchMs: null });
      const b = await Gatehouse.open({ url: redis.url, namespace: ns, clock, watchMs: null });
      try {
        const accountA = await a.createAccount('T1', { name: 'Acme', admins: [{ userId: 'UADMIN' }] });
        await arrange(accountA, clock);
        const accountB = await b.account('T1');
        await accountB.refresh();
        const results = await Promise.all([accountA.runFollowUps(), accountB.runFollowUps(), accountA.runFollowUps(), accountB.runFollowUps()]);
        assert.equal(results.reduce((n, r) => n + r.reminders, 0), 1, JSON.stringify(results));
        assert.equal(await reminders(accountA), 1);
        clock.advance(H);
        await Promise.all([accountA.runFollowUps(), accountB.runFollowUps()]);
        assert.equal(await reminders(accountB), 2);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});

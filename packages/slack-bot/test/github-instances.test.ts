import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, Commit, Gatehouse, LogStore } from '@gatehouse/core';
import { FakeClock, Gatehouse as GatehouseClass, openStore } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import type { RunningServer } from '../src/server.js';
import { startServer } from '../src/server.js';
import { FakeGithub, deploymentProtectionRulePayload, githubEnv } from './support/fake-github.js';
import { TEAM, recordingLogger } from './support/slack-harness.js';

const SHA = '0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f607182930';

/** Approves every requirement of production (QA, Security, Operational) for the version. */
async function approveAll(g: Gatehouse, versionId: string): Promise<void> {
  const account = await g.account(TEAM);
  await account.refresh();
  for (const [user, type] of [['UQUINN', 'qa'], ['USEC', 'security'], ['USAM', 'operational']] as const) await account.decideVersion({ userId: user }, { versionId, approvalType: type, decision: 'approve' });
}

const ofType = (events: AuditEvent[], type: string) => events.filter((e) => e.type === type);

/**
 * Several instances on one store, and restarts: the callback of a review is claimed through the
 * log, so exactly one instance sends it; a claim left by an instance that stopped is taken over
 * once its lease runs out; a review recorded before a restart is answered after it.
 */
describe('GitHub App: several instances and restarts', () => {
  let gh: FakeGithub;
  const servers: RunningServer[] = [];
  beforeEach(async () => {
    gh = await FakeGithub.start();
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await gh.close();
  });

  const config = (store: string) => ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: store, GATEHOUSE_ACCOUNT_ID: TEAM, ...githubEnv(gh) });
  const start = async (g: Gatehouse, store: string, instance: string) => {
    const s = await startServer(config(store), { gatehouse: g, logger: recordingLogger(), github: { instance, scanMs: 15, leaseMs: 60_000 } });
    servers.push(s);
    return s;
  };
  const ask = (s: RunningServer, runId: number) => gh.deliver(`${s.url}/github/webhook`, 'deployment_protection_rule', deploymentProtectionRulePayload(gh, { sha: SHA, runId }));
  const settle = async (...gs: Gatehouse[]) => {
    await new Promise((r) => setTimeout(r, 150));
    for (const s of servers) await s.github?.idle();
    for (const g of gs) await (await g.account(TEAM)).refresh();
  };

  /** Two Gatehouse instances on one in-memory store (each polls the other's commits), the demo account mapped to acme/checkout. */
  const twoInstances = async () => {
    const store = await openStore({ url: 'memory' });
    const clock = new FakeClock(Date.now());
    const a = await GatehouseClass.open({ store, clock, watchMs: 10 });
    const b = await GatehouseClass.open({ store, clock, watchMs: 10 });
    await seedDemo(a, TEAM);
    const account = await a.account(TEAM);
    await account.updateProduct({ userId: 'UADA' }, { productId: 'checkout', repositories: ['acme/checkout'] });
    const close = async () => {
      for (const s of servers.splice(0)) await s.close();
      await a.close();
      await b.close();
    };
    return { a, b, clock, account, close };
  };

  it('two instances on one store: both see the decision, exactly one claims and sends the callback', async () => {
    const { a, b, close } = await twoInstances();
    try {
      const sa = await start(a, 'memory', 'instance-a');
      await start(b, 'memory', 'instance-b');
      const r = await ask(sa, 201);
      assert.equal(r.status, 202);
      for (const runId of [202, 203]) assert.equal((await ask(sa, runId)).status, 202, 'three runs wait on the same version');
      await approveAll(b, String(r.json['versionId']));
      await gh.callbacksAtLeast(3);
      await settle(a, b);
      assert.deepEqual(gh.callbacks.map((c) => c.runId).sort(), [201, 202, 203], 'one callback per run, none twice');
      const events = await (await a.account(TEAM)).auditEvents();
      assert.equal(ofType(events, 'github.callback_claimed').length, 3, 'one claim per review: the loser of each race found it claimed');
      assert.equal(ofType(events, 'github.callback_sent').length, 3);
    } finally {
      await close();
    }
  });

  it('a claim left by an instance that stopped is taken over once its lease runs out, with the answer it fixed', async () => {
    const { a, b, clock, account, close } = await twoInstances();
    try {
      const asked = await account.requestGithubReview({ userId: 'system' }, { repository: 'acme/checkout', environmentName: 'production', sha: SHA, runId: 301, callbackUrl: gh.callbackUrl('acme/checkout', 301), installationId: 77, deliveryId: 'd-301' });
      await approveAll(a, asked.version.id);
      // An instance claimed, then stopped before sending: nothing runs for it any more.
      assert.ok(await account.claimGithubCallback({ reviewId: asked.review.id, state: 'approved', comment: 'Approved in Gatehouse (by the instance that stopped)', instance: 'gone', leaseMs: 60_000 }));
      await start(a, 'memory', 'instance-a');
      await start(b, 'memory', 'instance-b');
      await settle(a, b);
      assert.equal(gh.callbacks.length, 0, 'nobody sends while the lease holds');
      clock.advance(60_001);
      await gh.callbacksAtLeast(1);
      await settle(a, b);
      assert.equal(gh.callbacks.length, 1);
      assert.equal(gh.callbacks[0]?.body.comment, 'Approved in Gatehouse (by the instance that stopped)');
      const claims = ofType(await account.auditEvents(), 'github.callback_claimed');
      assert.equal(claims.length, 2, 'the first claim and one take-over');
      const takeover = claims[1];
      assert.ok(takeover?.type === 'github.callback_claimed');
      assert.equal(takeover.data.previousInstance, 'gone');
      assert.ok(['instance-a', 'instance-b'].includes(takeover.data.instance));
    } finally {
      await close();
    }
  });

  it('when the store refuses to record a sent callback, it is recorded by a later scan, not sent again', async () => {
    const memory = await openStore({ url: 'memory' });
    let refuse = 1;
    // The store once fails the commit that records the callback (as a database that went away would).
    const store: LogStore = Object.assign(Object.create(memory) as LogStore, {
      tryAppend: async (accountId: string, commit: Commit) => {
        if (refuse > 0 && commit.events.some((e) => e.type === 'github.callback_sent')) {
          refuse--;
          throw new Error('connection to the store lost');
        }
        return memory.tryAppend(accountId, commit);
      },
    });
    const g = await GatehouseClass.open({ store, clock: new FakeClock(Date.now()) });
    try {
      await seedDemo(g, TEAM);
      const account = await g.account(TEAM);
      await account.updateProduct({ userId: 'UADA' }, { productId: 'checkout', repositories: ['acme/checkout'] });
      const s = await start(g, 'memory', 'flaky');
      const r = await ask(s, 501);
      await approveAll(g, String(r.json['versionId']));
      await gh.callbacksAtLeast(1);
      const sent = () => account.view.githubReviews?.[String(r.json['review'])]?.callback?.outcome;
      for (let i = 0; i < 100 && sent() !== 'sent'; i++) await new Promise((res) => setTimeout(res, 10));
      await settle();
      assert.equal(sent(), 'sent', 'recorded on a later scan');
      assert.equal(gh.callbacks.length, 1, 'and not sent twice');
      assert.equal(refuse, 0, 'the store did refuse once');
    } finally {
      for (const s of servers.splice(0)) await s.close();
      await g.close();
    }
  });

  it('a review recorded before a restart is answered after it (SQLite file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-github-'));
    const url = `sqlite://${join(dir, 'gh.sqlite')}`;
    try {
      const clock = new FakeClock(Date.now());
      const first = await GatehouseClass.open({ url, clock });
      await seedDemo(first, TEAM);
      await (await first.account(TEAM)).updateProduct({ userId: 'UADA' }, { productId: 'checkout', repositories: ['acme/checkout'] });
      const s1 = await start(first, url, 'before');
      const r = await ask(s1, 401);
      assert.equal(r.status, 202);
      await servers.splice(0)[0]?.close();
      await approveAll(first, String(r.json['versionId']));
      await first.close();
      assert.equal(gh.callbacks.length, 0, 'decided while no instance was running');

      const second = await GatehouseClass.open({ url, clock });
      try {
        await start(second, url, 'after');
        await gh.callbacksAtLeast(1);
        await settle(second);
        assert.deepEqual(gh.callbacks.map((c) => [c.runId, c.body.state, c.body.environment_name]), [[401, 'approved', 'production']]);
        const review = (await second.account(TEAM)).view.githubReviews?.[String(r.json['review'])];
        assert.deepEqual([review?.callback?.outcome, review?.callback?.instance, review?.sha, review?.runId], ['sent', 'after', SHA, 401], 'the GitHub context survived the restart');
      } finally {
        for (const s of servers.splice(0)) await s.close();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

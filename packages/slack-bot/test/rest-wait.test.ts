import assert from 'node:assert/strict';
import { FakeClock, Gatehouse, openStore } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import { startServer } from '../src/server.js';
import type { Ctx } from './rest-harness.js';
import { setup } from './rest-harness.js';
import { EvaluationWaiters, evaluationTag } from '../src/rest/wait.js';

/** A demo version waiting for QA in production (see demo.ts). */
function pendingVersion(ctx: Ctx): string {
  const v = Object.values(ctx.account.view.versions).find((x) => x.requestedFor.includes('production') && ctx.account.evaluate({ versionId: x.id, environmentId: 'production' }).requirements.some((r) => r.type === 'qa' && !r.satisfied));
  return v?.id ?? assert.fail('the demo has no version waiting for QA in production');
}

describe('REST: waiting for an evaluation to change (long-poll)', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const url = (id: string, q: string) => `${ctx.server.url}/api/v1/versions/${id}/evaluation?environmentId=production${q}`;
  const auth = (k: string, etag?: string) => ({ authorization: `Bearer ${k}`, ...(etag ? { 'if-none-match': etag } : {}) });

  it('answers at once with an ETag; with that ETag it waits and returns the moment a decision changes it', async () => {
    const id = pendingVersion(ctx);
    const key = ctx.key('UCI');
    const first = await fetch(url(id, ''), { headers: auth(key) });
    const etag = first.headers.get('etag') ?? assert.fail('no ETag');
    assert.equal(((await first.json()) as { ready: boolean }).ready, false);
    const started = Date.now();
    const waiting = fetch(url(id, '&wait=30'), { headers: auth(key, etag) });
    await new Promise((r) => setTimeout(r, 150));
    const evaluation = ctx.account.evaluate({ versionId: id, environmentId: 'production' });
    const qa = evaluation.requirements.find((x) => x.type === 'qa' && !x.satisfied) ?? assert.fail('the demo version does not wait for QA');
    await ctx.account.decideVersion({ userId: 'UQUINN' }, { versionId: id, approvalType: qa.type, decision: 'approve' });
    const res = await waiting;
    assert.equal(res.status, 200);
    assert.notEqual(res.headers.get('etag'), etag);
    const body = (await res.json()) as { ready: boolean; requirements: { satisfied: boolean }[] };
    assert.ok(body.requirements.some((r) => r.satisfied), JSON.stringify(body));
    assert.ok(Date.now() - started < 10_000, 'the waiter was not woken by the decision');
  });

  it('with nothing changing it answers 304 when the wait is over; without wait at once', async () => {
    const id = pendingVersion(ctx);
    const key = ctx.key('UCI');
    const etag = (await fetch(url(id, ''), { headers: auth(key) })).headers.get('etag') ?? '';
    const now = await fetch(url(id, ''), { headers: auth(key, etag) });
    assert.equal(now.status, 304);
    const t = Date.now();
    const later = await fetch(url(id, `&wait=1&since=${encodeURIComponent(etag)}`), { headers: auth(key) });
    assert.equal(later.status, 304);
    assert.ok(Date.now() - t >= 900, 'answered before the wait was over');
  });

  it('a waiter whose client goes away is dropped at once, timer and all', async () => {
    const id = pendingVersion(ctx);
    const waiters = new EvaluationWaiters(ctx.gatehouse);
    const tag = evaluationTag(ctx.account.evaluate({ versionId: id, environmentId: 'production' }));
    const gone = new AbortController();
    const waiting = waiters.wait(ctx.account, id, 'production', tag, 60, gone.signal);
    assert.equal(waiters.size, 1);
    gone.abort();
    assert.equal(await waiting, null);
    assert.equal(waiters.size, 0);
    // And one that is answered by a commit is dropped too.
    const answered = waiters.wait(ctx.account, id, 'production', tag, 60, new AbortController().signal);
    await ctx.account.decideVersion({ userId: 'UQUINN' }, { versionId: id, approvalType: 'qa', decision: 'approve' });
    assert.ok(await answered);
    assert.equal(waiters.size, 0);
    waiters.close();
  });
});

describe('REST: a waiter on one instance, the deciding commit on another', () => {
  it('is answered when instance B commits the decision (A learns it from the shared store)', async () => {
    const store = await openStore({ url: 'memory' });
    const clock = new FakeClock(Date.now());
    const a = await Gatehouse.open({ store, clock, watchMs: 20 });
    const b = await Gatehouse.open({ store, clock, watchMs: 20 });
    const demo = await seedDemo(a, 'TDEMO');
    const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TDEMO' });
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const serverA = await startServer(config, { gatehouse: a, logger: quiet });
    try {
      const accountA = await a.account('TDEMO');
      const accountB = await b.account('TDEMO');
      const id = Object.values(accountA.view.versions).find((v) => v.requestedFor.includes('production') && accountA.evaluate({ versionId: v.id, environmentId: 'production' }).requirements.some((r) => r.type === 'qa' && !r.satisfied))?.id ?? assert.fail('no version waiting for QA');
      const key = demo.keys.find((k) => k.userId === 'UCI')?.secret ?? assert.fail('no CI key');
      const url = `${serverA.url}/api/v1/versions/${id}/evaluation?environmentId=production`;
      const etag = (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).headers.get('etag') ?? '';
      const waiting = fetch(`${url}&wait=30`, { headers: { authorization: `Bearer ${key}`, 'if-none-match': etag } });
      await new Promise((r) => setTimeout(r, 100));
      const decided = Date.now();
      await accountB.decideVersion({ userId: 'UQUINN' }, { versionId: id, approvalType: 'qa', decision: 'approve' });
      const res = await waiting;
      assert.equal(res.status, 200);
      assert.notEqual(res.headers.get('etag'), etag);
      assert.ok(Date.now() - decided < 3_000, `answered ${Date.now() - decided} ms after the commit on B`);
    } finally {
      await serverA.close();
      await a.close();
      await b.close().catch(() => undefined);
    }
  });
});

import assert from 'node:assert/strict';
import { CreateVersionResponseSchema, DecisionResponseSchema, EvaluationSchema, KeyListResponseSchema, MeResponseSchema, PendingApprovalsResponseSchema } from '@gatehouse/core/contract';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup, silent } from './rest-harness.js';

describe('REST API /api/v1', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.server.close();
    await ctx.gatehouse.close();
  });

  it('serves /healthz and the OpenAPI document without a key', async () => {
    const h = await fetch(`${ctx.server.url}/healthz`);
    assert.deepEqual(await h.json(), { ok: true, store: 'memory', version: '0.1.0' });
    const { status, json } = await ctx.call('GET', '/openapi.json');
    assert.equal(status, 200);
    const doc = json as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/versions/{id}/decisions']?.['post']?.requestBody, 'decision body is documented');
    assert.ok(doc.paths['/approvals/pending']?.['get']);
  });

  it('GET /me: roles and effective permissions per team', async () => {
    const { status, json } = await ctx.call('GET', '/me', { key: ctx.key('UDEV') });
    assert.equal(status, 200);
    const me = MeResponseSchema.parse(json);
    assert.equal(me.user.id, 'UDEV');
    assert.equal(me.primaryRole, 'Developer');
    const payments = me.scopes.find((s) => s.teamId === 'payments');
    assert.ok(payments?.permissions.includes('version:create'));
    assert.deepEqual(payments?.roles.map((r) => r.roleName), ['Developer']);
    const global = me.scopes.find((s) => s.teamId === null);
    assert.equal(global?.permissions.includes('version:create'), false);
  });

  it('GET /can answers with the reason on deny', async () => {
    const ok = await ctx.call('GET', '/can?permission=version:create&teamId=payments', { key: ctx.key('UDEV') });
    assert.deepEqual(ok.json, { allowed: true, permission: 'version:create', teamId: 'payments', teamName: 'Payments', reason: null, grantingRoles: [] });
    const no = await ctx.call('GET', '/can?permission=gate:override&teamId=payments', { key: ctx.key('UDEV') });
    const j = no.json as { allowed: boolean; reason: string; grantingRoles: string[] };
    assert.equal(j.allowed, false);
    assert.match(j.reason, /^none of your roles grants gate:override in team Payments; roles that do: [A-Z]/, 'team and roles by name');
    assert.match(j.reason, /Release Manager/);
    assert.doesNotMatch(j.reason, /release_manager|payments/);
    assert.ok(j.grantingRoles.includes('release_manager'), 'ids for programs');
    const bad = await ctx.call('GET', '/can?permission=nope', { key: ctx.key('UDEV') });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad.json), 'validation_failed');
  });

  it('pending approvals, approve over REST, and the list updates', async () => {
    const qa = ctx.key('UQUINN');
    const before = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: qa })).json);
    const item = before.items.find((i) => i.version.version === '3.2.0');
    assert.ok(item, 'Search API 3.2.0 waits for QA');
    assert.deepEqual(item.canGive, ['qa']);
    assert.equal(item.environment.name, 'production');
    const r = await ctx.call('POST', `/versions/${item.version.id}/decisions`, { key: qa, body: { approvalType: 'qa', decision: 'approve' } });
    assert.equal(r.status, 200);
    const d = DecisionResponseSchema.parse(r.json);
    assert.equal(d.changed, true);
    const again = DecisionResponseSchema.parse((await ctx.call('POST', `/versions/${item.version.id}/decisions`, { key: qa, body: { approvalType: 'qa', decision: 'approve' } })).json);
    assert.equal(again.changed, false, 'a retried request records nothing new');
    const after = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: qa })).json);
    assert.equal(after.items.some((i) => i.version.id === item.version.id), false);
  });

  it('pending approvals name every user they mention (approvers, rejecters, creator) and the product\'s team', async () => {
    const sec = ctx.key('USEC');
    const ci = ctx.key('UCI');
    const { version } = CreateVersionResponseSchema.parse((await ctx.call('POST', '/versions', { key: ci, body: { productId: 'checkout', version: '9.1.0' } })).json);
    assert.equal((await ctx.call('POST', `/versions/${version.id}/approval-requests`, { key: ci, body: { environmentId: 'production' } })).status, 200);
    const qa = await ctx.call('POST', `/versions/${version.id}/decisions`, { key: ctx.key('UQUINN'), body: { approvalType: 'qa', decision: 'approve' } });
    assert.equal(qa.status, 200);
    const rej = await ctx.call('POST', `/versions/${version.id}/decisions`, { key: sec, body: { approvalType: 'security', decision: 'reject', reason: 'CVE-2026-1234 unpatched' } });
    assert.equal(rej.status, 200);
    const { items } = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: ctx.key('UADA') })).json);
    const item = items.find((i) => i.version.id === version.id);
    assert.ok(item, 'Ada (Admin) sees Checkout 9.1.0 waiting');
    assert.deepEqual(item.evaluation.requirements.find((r) => r.type === 'qa')?.approvedBy, ['UQUINN']);
    assert.deepEqual(item.evaluation.requirements.find((r) => r.type === 'security')?.rejectedBy, ['USEC']);
    assert.deepEqual(item.people, [
      { id: 'UCI', name: 'CI pipeline (service account)', serviceAccount: true },
      { id: 'UQUINN', name: 'Quinn (QA)' },
      { id: 'USEC', name: 'Sec (Security)' },
    ]);
    assert.deepEqual(item.product, { id: 'checkout', name: 'Checkout', teamId: 'payments', teamName: 'Payments' });
  });

  it('reject needs a reason; approvals need the type', async () => {
    const sec = ctx.key('USEC');
    const { items } = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: sec })).json);
    const v = items[0]!.version.id;
    const noReason = await ctx.call('POST', `/versions/${v}/decisions`, { key: sec, body: { approvalType: 'security', decision: 'reject' } });
    assert.equal(noReason.status, 400);
    assert.match(JSON.stringify(noReason.json), /reason/);
    const wrongType = await ctx.call('POST', `/versions/${v}/decisions`, { key: sec, body: { approvalType: 'qa', decision: 'approve' } });
    assert.equal(wrongType.status, 403);
    assert.equal(errorCode(wrongType.json), 'forbidden');
    const ok = await ctx.call('POST', `/versions/${v}/decisions`, { key: sec, body: { approvalType: 'security', decision: 'reject', reason: 'CVE-2026-1234 unpatched' } });
    assert.equal(ok.status, 200);
  });

  it('CI: create a version, request approval, evaluate, deploy (blocked, then override)', async () => {
    const ci = ctx.key('UCI');
    const created = await ctx.call('POST', '/versions', { key: ci, body: { productId: 'checkout', version: '9.0.0' } });
    assert.equal(created.status, 201);
    const { version } = CreateVersionResponseSchema.parse(created.json);
    const retry = await ctx.call('POST', '/versions', { key: ci, body: { productId: 'checkout', version: '9.0.0' } });
    assert.equal(retry.status, 200, 'idempotent for CI retries');
    const req = await ctx.call('POST', `/versions/${version.id}/approval-requests`, { key: ci, body: { environmentId: 'production' } });
    assert.equal(EvaluationSchema.parse(req.json).ready, false);
    const ev = EvaluationSchema.parse((await ctx.call('GET', `/versions/${version.id}/evaluation?environmentId=production`, { key: ci })).json);
    assert.deepEqual(ev.missing, ['qa: 1 more approval', 'security: 1 more approval', 'operational: 1 more approval']);
    const blocked = await ctx.call('POST', '/deployments', { key: ci, body: { versionId: version.id, environmentId: 'production' } });
    assert.equal(blocked.status, 409);
    assert.equal(errorCode(blocked.json), 'deployment_blocked');
    assert.deepEqual((blocked.json as { error: { details: { missing: string[] } } }).error.details.missing, ev.missing);
    const noRight = await ctx.call('POST', '/deployments', { key: ci, body: { versionId: version.id, environmentId: 'production', override: { reason: 'hotfix' } } });
    assert.equal(noRight.status, 403);
    const rita = (await ctx.gatehouse.createKey(ctx.account, { userId: 'URITA' }, { name: 'rm', kind: 'personal_token' })).secret;
    const forced = await ctx.call('POST', '/deployments', { key: rita, body: { versionId: version.id, environmentId: 'production', override: { reason: 'hotfix for incident 7' } } });
    assert.equal(forced.status, 201);
    const dev = await ctx.call('POST', '/deployments', { key: ci, body: { versionId: version.id, environmentId: 'dev' } });
    assert.equal(dev.status, 201, 'no rule on dev');
  });

  it('keys: create (secret once), list without secrets, revoke', async () => {
    const dev = ctx.key('UDEV');
    const created = await ctx.call('POST', '/keys', { key: dev, body: { name: 'laptop', kind: 'personal_token' } });
    assert.equal(created.status, 201);
    const { key, secret } = created.json as { key: { id: string }; secret: string };
    const list = KeyListResponseSchema.parse((await ctx.call('GET', '/keys', { key: dev })).json);
    assert.ok(list.items.some((k) => k.id === key.id));
    assert.equal(JSON.stringify(list).includes(secret), false);
    assert.equal((await ctx.call('GET', '/me', { key: secret })).status, 200);
    assert.equal((await ctx.call('DELETE', `/keys/${key.id}`, { key: dev })).status, 204);
    const revoked = await ctx.call('GET', '/me', { key: secret });
    assert.equal(revoked.status, 401);
    assert.equal(errorCode(revoked.json), 'invalid_key');
    const all = await ctx.call('GET', '/keys?ownerId=*', { key: dev });
    assert.equal(all.status, 403, 'listing everyone\'s keys needs api_key:manage');
    assert.equal((await ctx.call('GET', '/keys?ownerId=*', { key: ctx.key('UADA') })).status, 200);
  });

  it('bad keys, bad bodies, wrong media type, body limit, unknown routes', async () => {
    assert.equal(errorCode((await ctx.call('GET', '/me')).json), 'unauthenticated');
    assert.equal((await ctx.call('GET', '/me', { key: 'ghk_key_nope_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status, 401);
    assert.equal((await ctx.call('GET', '/me', { headers: { authorization: 'Basic abc' } })).status, 401);
    const dev = ctx.key('UDEV');
    const notJson = await ctx.call('POST', '/versions', { key: dev, raw: '{"productId":', headers: { 'content-type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.equal(errorCode(notJson.json), 'validation_failed');
    const wrongType = await ctx.call('POST', '/versions', { key: dev, raw: 'productId=checkout', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrongType.status, 415);
    const badBody = await ctx.call('POST', '/versions', { key: dev, body: { productId: 'checkout' } });
    assert.equal(badBody.status, 400);
    assert.match((badBody.json as { error: { message: string } }).error.message, /version/);
    const huge = await ctx.call('POST', '/versions', { key: dev, body: { productId: 'checkout', version: 'x'.repeat(100_000) } });
    assert.equal(huge.status, 413);
    const nowhere = await ctx.call('GET', '/nowhere', { key: dev });
    assert.equal(nowhere.status, 404);
    assert.equal(ctx.account.view.versions && Object.values(ctx.account.view.versions).some((v) => v.version.startsWith('xxx')), false);
  });

  it('a key of an account this server does not serve is refused (401 invalid_key, saying why), and that account is not touched', async () => {
    const foreign = ctx.key('UQUINN', ctx.other);
    const other = await ctx.gatehouse.account('TOTHER');
    const seq = other.seq;
    const target = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: ctx.key('UQUINN') })).json).items[0]!.version.id;
    for (const [method, path, body] of [
      ['GET', '/me', undefined],
      ['GET', '/approvals/pending', undefined],
      ['POST', `/versions/${target}/decisions`, { approvalType: 'qa', decision: 'approve' }],
      ['POST', '/keys', { name: 'sneaky' }],
    ] as const) {
      const res = await ctx.call(method, path, { key: foreign, body });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(errorCode(res.json), 'invalid_key');
      assert.equal((res.json as { error: { message: string } }).error.message, 'this key belongs to another Gatehouse account, which this server does not serve: send it to the Gatehouse server of that account, or use a key created on this one');
    }
    assert.equal(other.seq, seq, 'nothing written in the other account');
    const quinn = other.listKeys({ userId: 'UQUINN' }, 'UQUINN');
    assert.ok(quinn.length > 0 && quinn.every((k) => k.lastUsedAt === null), 'the key use was not recorded');
  });
});

describe('REST API: a server serving two accounts (GATEHOUSE_ACCOUNT_ID=TDEMO,TOTHER)', () => {
  it('serves the keys of both, and nothing crosses accounts: another account\'s key sees nothing of this one', async () => {
    const ctx = await setup({ GATEHOUSE_ACCOUNT_ID: 'TDEMO,TOTHER' });
    try {
      const foreign = ctx.key('UQUINN', ctx.other);
      const mine = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: ctx.key('UQUINN') })).json);
      const theirs = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: foreign })).json);
      assert.ok(mine.items.length > 0 && theirs.items.length > 0, 'both accounts answer');
      const myIds = new Set(mine.items.map((i) => i.version.id));
      assert.equal(theirs.items.some((i) => myIds.has(i.version.id)), false);
      const target = mine.items[0]!.version.id;
      const cross = await ctx.call('POST', `/versions/${target}/decisions`, { key: foreign, body: { approvalType: 'qa', decision: 'approve' } });
      assert.equal(cross.status, 404);
      assert.equal((await ctx.call('GET', `/versions/${target}`, { key: foreign })).status, 404);
      assert.equal(MeResponseSchema.parse((await ctx.call('GET', '/me', { key: foreign })).json).account.id, 'TOTHER');
      assert.equal(MeResponseSchema.parse((await ctx.call('GET', '/me', { key: ctx.key('UQUINN') })).json).account.id, 'TDEMO');
    } finally {
      await ctx.close();
    }
  });
});

describe('REST API rate limit', () => {
  it('refuses more than the configured requests per minute per key', async () => {
    const ctx = await setup({ GATEHOUSE_RATE_LIMIT: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await ctx.call('GET', '/me', { key: ctx.key('UDEV') })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      assert.equal((await ctx.call('GET', '/me', { key: ctx.key('UQUINN') })).status, 200, 'limits are per key');
    } finally {
      await ctx.server.close();
      await ctx.gatehouse.close();
    }
  });
});

describe('REST API internal errors', () => {
  it('answer 500 without details and go to the server\'s logger with the stack', async () => {
    const logged: { msg: string; facts: Record<string, unknown> | undefined }[] = [];
    const ctx = await setup({}, { ...silent, error: (msg, facts) => logged.push({ msg, facts }) });
    try {
      ctx.gatehouse.authenticate = () => Promise.reject(new Error('disk on fire'));
      const res = await ctx.call('GET', '/me', { key: ctx.key('UDEV') });
      assert.equal(res.status, 500);
      assert.equal(errorCode(res.json), 'internal');
      assert.equal(JSON.stringify(res.json).includes('disk on fire'), false, 'the cause stays in the log');
      const entry = logged.find((l) => l.msg === 'REST internal error');
      assert.ok(entry, 'logged through the injected logger');
      assert.match(String(entry.facts?.['err']), /disk on fire\n\s+at /);
      assert.equal(entry.facts?.['path'], '/api/v1/me');
    } finally {
      await ctx.server.close();
      await ctx.gatehouse.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@gatehouse/core';
import { z } from 'zod';
import { ConfigSchema, githubMode } from '../src/config.js';
import { FakeGithub, deploymentProtectionRulePayload, githubEnv } from './support/fake-github.js';
import type { PostedMessage } from './support/fake-slack.js';
import { setupSlack, state, textOf } from './support/slack-harness.js';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const ADA = { userId: 'UADA' };

async function setup() {
  const gh = await FakeGithub.start();
  const ctx = await setupSlack({ env: githubEnv(gh) });
  await ctx.account.updateProduct(ADA, { productId: 'checkout', repositories: ['acme/checkout'] });
  const url = `${ctx.server.url}/github/webhook`;
  /** GitHub asks for a review of run `runId` (a fresh delivery unless one is given). */
  const ask = (runId: number, over: { environment?: string; repository?: string; delivery?: string; sha?: string } = {}) =>
    gh.deliver(url, 'deployment_protection_rule', deploymentProtectionRulePayload(gh, { sha: over.sha ?? SHA, runId, ...over }), { delivery: over.delivery });
  const events = async (type: string): Promise<AuditEvent[]> => (await ctx.account.auditEvents()).filter((e) => e.type === type);
  /** Waits for the approval card of a version (the Slack notifier posts it). */
  const card = async (versionId: string): Promise<PostedMessage> => {
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[versionId]?.message, 'the approval card');
    const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`);
    assert.ok(msg, 'the card is a message the bot posted');
    await ctx.settle();
    return msg;
  };
  const done = async () => {
    await ctx.server.github?.idle();
    await ctx.settle();
  };
  const close = async () => {
    await ctx.close();
    await gh.close();
  };
  return { gh, ctx, url, ask, events, card, done, close };
}

describe('GitHub App: Gatehouse as a deployment protection rule', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.close();
  });

  it('a review request becomes a version with a Slack card; approval clicks send exactly one approved callback naming the approvers', async () => {
    const r = await t.ask(101);
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const reviewId = String(r.json['review']);
    const review = t.ctx.account.view.githubReviews?.[reviewId];
    assert.deepEqual(
      [review?.repository, review?.ref, review?.sha, review?.runId, review?.environmentName, review?.environmentId, review?.installationId, review?.callbackUrl, review?.deliveryId],
      ['acme/checkout', 'main', SHA, 101, 'production', 'production', 77, t.gh.callbackUrl('acme/checkout', 101), r.delivery],
    );
    const version = t.ctx.account.view.versions[review?.versionId ?? ''];
    assert.deepEqual([version?.productId, version?.version, version?.commit, version?.createdBy, version?.requestedFor], ['checkout', SHA, SHA, 'system', ['production']]);

    const msg = await t.card(review?.versionId ?? '');
    assert.match(textOf(msg), /Approval needed: Checkout 9fceb02d/);
    assert.match(textOf(msg), /GitHub acme\/checkout · main · run 101 waiting for production/, 'the card shows where the request came from');
    for (const [user, type] of [['UQUINN', 'qa'], ['USEC', 'security']] as const) assert.equal((await t.ctx.click(user, msg, `version_approve:${type}`)).status, 200);
    await t.done();
    assert.equal(t.gh.callbacks.length, 0, 'nothing is sent while an approval is missing');
    await t.ctx.click('USAM', msg, 'version_approve:operational');
    await t.gh.callbacksAtLeast(1);
    await t.done();
    t.ctx.server.github?.scanAll();
    await t.done();

    assert.equal(t.gh.callbacks.length, 1, 'exactly one callback');
    const cb = t.gh.callbacks[0];
    assert.deepEqual([cb?.repository, cb?.runId, cb?.installationId, cb?.body.environment_name, cb?.body.state], ['acme/checkout', 101, 77, 'production', 'approved']);
    const comment = String(cb?.body.comment);
    for (const want of ['Approved in Gatehouse', 'Checkout', 'QA approved by Quinn (QA)', 'Security approved by Sec (Security)', 'Operational approved by Sam (SRE)']) assert.ok(comment.includes(want), `the comment says ${want}: ${comment}`);
    const sent = await t.events('github.callback_sent');
    assert.deepEqual(sent.map((e) => (e.type === 'github.callback_sent' ? [e.data.reviewId, e.data.state, e.data.attempts, e.data.status] : [])), [[reviewId, 'approved', 1, 204]], 'recorded in the audit trail with the attempt count');
    assert.equal((await t.events('github.callback_claimed')).length, 1);
    assert.deepEqual(t.ctx.account.openGithubReviews(), []);
    assert.deepEqual(t.gh.refusals, [], 'the fake GitHub refused nothing');
    assert.deepEqual(t.gh.tokensIssued.map((x) => x.installationId), [77], 'one installation token, from a valid app JWT');
    t.ctx.assertClean();
  });

  it('a rejection in Slack sends a rejected callback saying who rejected what and why', async () => {
    const r = await t.ask(102);
    const versionId = String(r.json['versionId']);
    const msg = await t.card(versionId);
    await t.ctx.click('USEC', msg, 'version_reject:security');
    const view = await t.ctx.fake.waitFor(() => t.ctx.lastView(), 'the reject modal');
    assert.equal((await t.ctx.submit('USEC', view.id, { reason: state.text('CVE-2026-1234 in the payment SDK') })).status, 200);
    await t.gh.callbacksAtLeast(1);
    await t.done();
    assert.equal(t.gh.callbacks.length, 1);
    assert.equal(t.gh.callbacks[0]?.body.state, 'rejected');
    assert.equal(t.gh.callbacks[0]?.body.environment_name, 'production');
    assert.match(String(t.gh.callbacks[0]?.body.comment), /^Rejected in Gatehouse: Checkout 9fceb02d\S* for production\. Security rejected by Sec \(Security\): CVE-2026-1234 in the payment SDK\.$/);
    t.ctx.assertClean();
  });

  it("the rule's timeout passing sends a rejected callback saying it was not decided in time", async () => {
    const rule = Object.values(t.ctx.account.view.rules).find((x) => x.environmentId === 'production' && x.productId === null) ?? assert.fail('no production rule');
    await t.ctx.account.updateRule({ userId: 'UADA' }, { ruleId: rule.id, policy: { timeoutAfterMs: 3_600_000, timeoutOutcome: 'expire' } });
    await t.ask(103);
    t.ctx.clock.advance(3_600_000);
    await t.ctx.gatehouse.runFollowUps();
    await t.gh.callbacksAtLeast(1);
    await t.done();
    assert.equal(t.gh.callbacks.length, 1);
    assert.equal(t.gh.callbacks[0]?.body.state, 'rejected');
    assert.match(String(t.gh.callbacks[0]?.body.comment), /^Rejected in Gatehouse: Checkout \S+ for production\. not decided in time \(the request expired\); still missing: /);
    t.ctx.assertClean();
  });

  it('forged deliveries are refused with 401 and record nothing: wrong secret, no signature, a body changed after signing', async () => {
    const seq = t.ctx.account.seq;
    const payload = deploymentProtectionRulePayload(t.gh, { sha: SHA, runId: 103 });
    const wrong = await t.gh.deliver(t.url, 'deployment_protection_rule', payload, { secret: 'not-the-secret' });
    assert.equal(wrong.status, 401);
    assert.match(String((wrong.json['error'] as { message?: string }).message), /GITHUB_WEBHOOK_SECRET/);
    assert.equal((await t.gh.deliver(t.url, 'deployment_protection_rule', payload, { signature: null })).status, 401);
    const signed = JSON.stringify(payload);
    const tampered = await t.gh.deliver(t.url, 'deployment_protection_rule', payload, { signature: t.gh.sign(signed), body: signed.replace('acme/checkout', 'acme/checkouts') });
    assert.equal(tampered.status, 401);
    assert.equal(t.ctx.account.seq, seq, 'nothing was committed');
    assert.equal(t.ctx.account.view.githubReviews, undefined);
    for (const d of [wrong, tampered]) assert.equal(await t.ctx.gatehouse.store.getMeta(`github:delivery:${d.delivery}`, z.unknown()), undefined, 'a forged delivery id is not remembered');
    await t.done();
    assert.deepEqual(t.gh.callbacks, []);
  });

  it('a redelivery changes nothing; another delivery for the same run and environment neither; another run of the same commit is reviewed on the same version', async () => {
    const first = await t.ask(104);
    assert.equal(first.status, 202);
    await t.done();
    const seq = t.ctx.account.seq;
    const again = await t.gh.deliver(t.url, 'deployment_protection_rule', JSON.parse(first.body) as unknown, { delivery: first.delivery });
    assert.deepEqual([again.status, again.json['duplicate']], [200, true]);
    const sameRun = await t.ask(104);
    assert.deepEqual([sameRun.status, sameRun.json['created'], sameRun.json['review']], [202, false, first.json['review']]);
    assert.equal(t.ctx.account.seq, seq, 'nothing new was recorded');
    const rerun = await t.ask(105);
    assert.equal(rerun.json['created'], true);
    assert.equal(rerun.json['versionId'], first.json['versionId'], 'the same commit is the same version');
    assert.equal(Object.keys(t.ctx.account.view.githubReviews ?? {}).length, 2);
    await t.done();
    t.ctx.assertClean();
  });

  it('GitHub answering 5xx: the callback is retried with backoff until GitHub accepts it, and the attempts are recorded', async () => {
    t.gh.failNext(2, 502);
    const r = await t.ask(106);
    const versionId = String(r.json['versionId']);
    for (const [user, type] of [['UQUINN', 'qa'], ['USEC', 'security'], ['USAM', 'operational']] as const) await t.ctx.account.decideVersion({ userId: user }, { versionId, approvalType: type, decision: 'approve' });
    await t.gh.callbacksAtLeast(1);
    await t.done();
    assert.equal(t.gh.callbacks.length, 1, 'accepted once');
    const sent = (await t.events('github.callback_sent'))[0];
    assert.ok(sent?.type === 'github.callback_sent');
    assert.deepEqual([sent.data.attempts, sent.data.status], [3, 204]);
    const retries = t.ctx.logger.lines.filter((l) => l.msg.startsWith('GitHub callback not accepted, retrying in'));
    assert.deepEqual(retries.map((l) => [l.facts['attempts'], l.facts['status']]), [[1, 502], [2, 502]]);
    assert.match(retries[1]?.msg ?? '', /retrying in 40 ms/, 'the delay doubles');
    t.ctx.assertClean();
  });

  it('an unmapped repository or environment is answered 422 with what to set, records nothing, and can be redelivered once mapped', async () => {
    const seq = t.ctx.account.seq;
    const r = await t.ask(107, { repository: 'acme/search' });
    assert.equal(r.status, 422);
    assert.match(String((r.json['error'] as { message?: string }).message), /no product lists repository acme\/search: add it to a product's repositories/);
    const env = await t.ask(108, { environment: 'canary' });
    assert.equal(env.status, 422);
    assert.equal(t.ctx.account.seq, seq);
    await t.ctx.account.updateProduct(ADA, { productId: 'search-api', repositories: ['Acme/Search'] });
    const again = await t.gh.deliver(t.url, 'deployment_protection_rule', JSON.parse(r.body) as unknown, { delivery: r.delivery });
    assert.equal(again.status, 202, 'the redelivery is handled now');
    assert.equal(t.ctx.account.view.githubReviews?.[String(again.json['review'])]?.environmentId, 'production');
    await t.done();
    assert.ok(t.ctx.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('acme/search')), 'the operator sees why');
  });

  it('ping and other events are acknowledged and ignored; a callback URL off the configured API is refused', async () => {
    assert.equal((await t.gh.deliver(t.url, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).status, 200);
    const other = await t.gh.deliver(t.url, 'deployment_status', { action: 'created' });
    assert.deepEqual([other.status, other.json['ignored']], [202, 'deployment_status.created']);
    const payload = { ...deploymentProtectionRulePayload(t.gh, { sha: SHA, runId: 109 }), deployment_callback_url: 'https://evil.example/repos/acme/checkout/actions/runs/109/deployment_protection_rule' };
    const off = await t.gh.deliver(t.url, 'deployment_protection_rule', payload);
    assert.equal(off.status, 422);
    assert.match(String((off.json['error'] as { message?: string }).message), /is not a deployment protection rule callback on http:\/\/127\.0\.0\.1/);
    assert.equal((await fetch(t.url)).status, 405);
  });
});

describe('GitHub App: not configured', () => {
  it('the webhook answers 503 saying what to set', async () => {
    const ctx = await setupSlack();
    try {
      const res = await fetch(`${ctx.server.url}/github/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'github_not_configured');
      for (const v of ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_PRIVATE_KEY_FILE', 'GITHUB_WEBHOOK_SECRET']) assert.ok(body.error.message.includes(v), `names ${v}`);
      assert.equal(ctx.server.github, null, 'no callback worker');
    } finally {
      await ctx.close();
    }
  });
});

describe('GitHub App: configuration', () => {
  const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';
  const mode = (env: Record<string, string>) => githubMode(ConfigSchema.parse(env));

  it('off until the app id, a private key and the webhook secret are set, naming what is missing', () => {
    const off = mode({ GITHUB_APP_ID: '12' });
    assert.equal(off.kind, 'off');
    assert.match(off.kind === 'off' ? off.reason : '', /set GITHUB_APP_PRIVATE_KEY \(or GITHUB_APP_PRIVATE_KEY_FILE\), GITHUB_WEBHOOK_SECRET/);
    assert.equal(ConfigSchema.safeParse({ GITHUB_APP_ID: 'my-app' }).success, false, 'the App ID is a number');
  });

  it('a one-line key with \\n escapes, or a key file (which wins); the API URL loses a trailing slash', () => {
    const oneLine = mode({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY: KEY.replace(/\n/g, '\\n'), GITHUB_WEBHOOK_SECRET: 'secret-123', GITHUB_API_URL: 'https://ghe.example/api/v3/' });
    assert.ok(oneLine.kind === 'on');
    assert.equal(oneLine.privateKey, KEY);
    assert.equal(oneLine.apiUrl, 'https://ghe.example/api/v3');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-key-'));
    try {
      const file = join(dir, 'app.pem');
      writeFileSync(file, KEY.replace('MIIB', 'FROMFILE'));
      const fromFile = mode({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY: KEY, GITHUB_APP_PRIVATE_KEY_FILE: file, GITHUB_WEBHOOK_SECRET: 'secret-123' });
      assert.ok(fromFile.kind === 'on' && fromFile.privateKey.includes('FROMFILE'));
      assert.throws(() => mode({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY_FILE: join(dir, 'missing.pem'), GITHUB_WEBHOOK_SECRET: 'secret-123' }), /GITHUB_APP_PRIVATE_KEY_FILE=.*missing\.pem: cannot be read/);
      assert.throws(() => mode({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY: 'not a key', GITHUB_WEBHOOK_SECRET: 'secret-123' }), /not a PEM key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

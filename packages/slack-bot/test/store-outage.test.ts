import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeGithub, deploymentProtectionRulePayload, githubEnv } from './support/fake-github.js';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { setupSlack, textOf } from './support/slack-harness.js';
import { ownPostgres, ownRedis } from './support/stores.js';

/** The longest a write may take to be refused while the store is down (README, "When the store is down"). */
const BOUND_MS = 5_000;
const SLACK_REFUSAL = ':warning: Gatehouse cannot reach its store right now; nothing was changed. Try again in a minute.';

interface Server {
  readonly url: string;
  namespace(label: string): string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const BACKENDS: { name: string; kind: string; title: string; start: () => Promise<Server> }[] = [
  { name: 'Redis', kind: 'redis', title: 'real redis-server, appendonly, killed with SIGKILL', start: () => ownRedis({ appendonly: true }) },
  { name: 'PostgreSQL', kind: 'postgres', title: 'real postgres, stopped as by pg_ctl stop -m immediate', start: ownPostgres },
];

/** A JSON request to the REST API with a key; the status, the parsed body and how long it took. */
async function call(ctx: SlackCtx, method: string, path: string, key: string, body?: unknown) {
  const started = Date.now();
  const res = await fetch(`${ctx.server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, ms: Date.now() - started };
}

async function healthz(ctx: SlackCtx) {
  const started = Date.now();
  const res = await fetch(`${ctx.server.url}/healthz`);
  return { status: res.status, json: (await res.json()) as { ok: boolean; store: string; error?: { code: string; message: string } }, ms: Date.now() - started };
}

/** The message the bot posted for a version's approval. */
async function approvalMessage(ctx: SlackCtx, versionId: string): Promise<PostedMessage> {
  const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[versionId]?.message, 'the approval message to be linked');
  const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`);
  assert.ok(msg, 'the linked message is one the bot posted');
  return msg;
}

describe('the server while its store is down', function () {
  this.timeout(60_000);

  for (const backend of BACKENDS) {
    describe(`${backend.name} (${backend.title})`, () => {
      let server: Server | null = null;
      let ctx: SlackCtx | null = null;
      let github: FakeGithub | null = null;
      before(async function () {
        this.timeout(60_000);
        server = await backend.start();
      });
      afterEach(async () => {
        await ctx?.close();
        ctx = null;
        await github?.close();
        github = null;
        // A test that failed half-way leaves the server down.
        await server?.restart();
      });
      after(async () => {
        await server?.stop();
      });

      it(`a REST write and a GitHub review request answer 503 storage_unavailable, a Slack click says nothing was changed, within ${BOUND_MS / 1000} s; /healthz 503; a known key still reads; once it is back the same requests succeed`, async () => {
        const s = server ?? assert.fail('the server did not start');
        const gh = (github = await FakeGithub.start());
        const c = (ctx = await setupSlack({ store: { url: s.url, namespace: s.namespace('server') }, env: githubEnv(gh) }));
        await c.account.updateProduct({ userId: 'UADA' }, { productId: 'checkout', repositories: ['acme/checkout'] });
        const review = deploymentProtectionRulePayload(gh, { sha: '9fceb02d0ae598e95dc970b74767f19372d61af8', runId: 101 });
        const key = (userId: string) => c.demo?.keys.find((k) => k.userId === userId)?.secret ?? assert.fail(`no demo key for ${userId}`);
        const dev = key('UDEV');
        const created = await call(c, 'POST', '/versions', dev, { productId: 'checkout', version: '2.0.0' });
        assert.equal(created.status, 201);
        const versionId = (created.json as { version: { id: string } }).version.id;
        assert.equal((await call(c, 'POST', `/versions/${versionId}/approval-requests`, dev, { environmentId: 'production' })).status, 200);
        const msg = await approvalMessage(c, versionId);
        await c.settle();
        const held = c.account.seq;

        await s.kill();

        const write = await call(c, 'POST', '/versions', dev, { productId: 'checkout', version: '9.9.9' });
        assert.equal(write.status, 503);
        assert.deepEqual(write.json, {
          error: {
            code: 'storage_unavailable',
            message: `Gatehouse's store (${backend.name}) cannot be reached; nothing was changed: try again in a minute`,
            details: { store: backend.kind, outcome: 'unchanged' },
          },
        });
        assert.ok(write.ms < BOUND_MS, `answered within ${BOUND_MS} ms (took ${write.ms} ms)`);

        // Reads come from memory: a key this server has seen needs no round trip.
        const me = await call(c, 'GET', '/me', dev);
        assert.equal(me.status, 200, JSON.stringify(me.json));

        const health = await healthz(c);
        assert.equal(health.status, 503);
        assert.equal(health.json.ok, false);
        assert.equal(health.json.error?.code, 'storage_unavailable');
        assert.match(health.json.error?.message ?? '', /^the (redis|postgres) store cannot be reached: writes are refused until it is back \(reads are answered from memory\)$/);
        assert.ok(health.ms < 2_500, `/healthz answered within 2 s (took ${health.ms} ms)`);

        // A click on the approval message: acknowledged, and answered with what happened and what to do.
        const started = Date.now();
        const clicked = await c.click('UQUINN', msg, 'version_approve:qa');
        assert.equal(clicked.status, 200);
        const answer = await c.fake.waitFor(() => c.fake.responsesTo(clicked.responseUrl)[0], 'the answer to the click');
        assert.ok(Date.now() - started < BOUND_MS, `answered within ${BOUND_MS} ms`);
        assert.equal(textOf(answer), SLACK_REFUSAL);
        assert.equal(answer['response_type'], 'ephemeral');
        // GitHub asking for a deployment review: the store's trouble, said as such (not a 500), and not remembered.
        const delivered = await gh.deliver(`${c.server.url}/github/webhook`, 'deployment_protection_rule', review);
        assert.equal(delivered.status, 503);
        assert.equal((delivered.json['error'] as { code?: string } | undefined)?.code, 'storage_unavailable');

        // What changes nothing is answered from memory.
        assert.match(await c.answer('UDEV', 'whoami'), /Developer/);
        // Someone Gatehouse does not know yet: recording them is refused the same way, not left unanswered.
        assert.equal(await c.answer('UNEWCOMER', 'whoami'), SLACK_REFUSAL);
        const newcomer = await c.click('UNEWCOMER2', msg, 'version_approve:qa');
        assert.equal(newcomer.status, 200);
        assert.equal(textOf(await c.fake.waitFor(() => c.fake.responsesTo(newcomer.responseUrl)[0], 'the answer to the newcomer')), SLACK_REFUSAL);
        assert.equal(c.account.seq, held, 'nothing was applied');
        assert.equal(c.account.view.versions[versionId]?.decisions.length, 0);

        await s.restart();
        const deadline = Date.now() + 15_000;
        while ((await healthz(c)).status !== 200) {
          assert.ok(Date.now() < deadline, '/healthz did not answer 200 within 15 s of the restart');
          await sleep(100);
        }
        const again = await call(c, 'POST', '/versions', dev, { productId: 'checkout', version: '9.9.9' });
        assert.equal(again.status, 201, JSON.stringify(again.json));
        assert.equal(c.account.seq, held + 1, 'the write after the restart, and nothing of those refused');
        const redelivered = await gh.deliver(`${c.server.url}/github/webhook`, 'deployment_protection_rule', review, { delivery: delivered.delivery });
        assert.equal(redelivered.status, 202, JSON.stringify(redelivered.json));
        const retried = await c.click('UQUINN', msg, 'version_approve:qa');
        assert.equal(retried.status, 200);
        await c.fake.waitFor(() => c.account.view.versions[versionId]?.decisions.length === 1 || null, 'the approval after the restart');

        assert.deepEqual(c.fake.failures(), [], 'Slack refused nothing (Block Kit limits included)');
        const errors = c.logger.lines.filter((l) => l.level === 'error').map((l) => l.msg);
        assert.ok(
          errors.every((m) => m === 'health check failed' || /^cannot reach the store/.test(m)),
          `only the outage was logged as an error:\n${errors.join('\n')}`,
        );
        assert.ok(errors.filter((m) => /^cannot reach the store/.test(m)).length <= 1, 'the poll loop said it once');
      });
    });
  }
});

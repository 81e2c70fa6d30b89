import assert from 'node:assert/strict';
import { FakeClock, Gatehouse, openStore } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import type { RunningServer } from '../src/server.js';
import { startServer } from '../src/server.js';
import { FakeSlack, manifestBotScopes } from './support/fake-slack.js';
import { APPROVALS, MANIFEST, SECRET, TEAM, findButton, recordingLogger, textOf } from './support/slack-harness.js';
import { blockActionPayload, interactionBody, postSigned } from './support/slack-requests.js';

/**
 * Two instances on one store (as behind a load balancer): only the instance that wrote a commit
 * talks to Slack about it, so a request posts one message and a click gives one thread reply.
 */
describe('Slack: several instances on one store', () => {
  it('only the writer posts; the other instance handles clicks on that message', async () => {
    const fake = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), teamId: TEAM });
    const store = await openStore({ url: 'memory' });
    const clock = new FakeClock(Date.now());
    const a = await Gatehouse.open({ store, clock, watchMs: 10 });
    const b = await Gatehouse.open({ store, clock, watchMs: 10 });
    const demo = await seedDemo(a, TEAM);
    const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: TEAM, SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, GATEHOUSE_DEFAULT_CHANNEL: APPROVALS });
    const servers: RunningServer[] = [];
    try {
      const logger = recordingLogger();
      const sa = await startServer(config, { gatehouse: a, logger });
      servers.push(sa);
      const sb = await startServer(config, { gatehouse: b, logger });
      servers.push(sb);
      const accountB = await b.account(TEAM);

      // CI asks instance A for approval.
      const key = demo.keys.find((k) => k.userId === 'UDEV')?.secret ?? assert.fail('key');
      const post = (path: string, body: unknown) => fetch(`${sa.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const created = (await (await post('/versions', { productId: 'checkout', version: '3.0.0' })).json()) as { version: { id: string } };
      assert.equal((await post(`/versions/${created.version.id}/approval-requests`, { environmentId: 'production' })).status, 200);

      const ref = await fake.waitFor(() => accountB.view.versions[created.version.id]?.message, 'instance B to see the linked message');
      await sa.slack?.idle();
      await sb.slack?.idle();
      assert.equal(fake.channelMessages(APPROVALS).length, 1, 'one approval message, posted by the writer');

      // Quinn's click lands on instance B.
      const msg = fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('message');
      const button = findButton(msg, 'version_approve:qa');
      const payload = blockActionPayload({ teamId: TEAM, userId: 'UQUINN', userName: 'quinn', channelId: msg.channel, messageTs: msg.ts, actionId: 'version_approve:qa', blockId: button.blockId, value: button.value, triggerId: fake.issueTrigger(), responseUrl: fake.responseUrl() });
      assert.equal((await postSigned(`${sb.url}/slack/events`, SECRET, interactionBody(payload))).status, 200);
      await fake.waitFor(() => fake.threadReplies(msg.channel, msg.ts).length === 1, 'the thread reply');
      const accountA = await a.account(TEAM);
      await fake.waitFor(() => accountA.view.versions[created.version.id]?.decisions.length === 1, 'instance A to replay the decision');
      await new Promise((r) => setTimeout(r, 50));
      await sa.slack?.idle();
      await sb.slack?.idle();
      assert.equal(fake.threadReplies(msg.channel, msg.ts).length, 1, 'one thread reply: instance A replayed the decision without posting');
      assert.match(textOf(msg), /QA\* · 1 of 1 — approved by <@UQUINN>/, 'B updated the message A posted');
      assert.equal(fake.channelMessages(APPROVALS).length, 1);
      assert.deepEqual(fake.failures(), []);
      assert.deepEqual(logger.lines.filter((l) => l.level === 'error'), []);
    } finally {
      for (const s of servers) await s.close();
      await a.close();
      await b.close().catch(() => undefined);
      await fake.close();
    }
  });
});

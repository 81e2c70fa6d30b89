import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, Gatehouse } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import type { RunningServer } from '../src/server.js';
import { startServer } from '../src/server.js';
import { FakeSlack, manifestBotScopes } from './support/fake-slack.js';
import { APPROVALS, GENERAL, MANIFEST, SECRET, TEAM, recordingLogger } from './support/slack-harness.js';
import { commandBody, postSigned } from './support/slack-requests.js';

/**
 * A copy of a signed Slack request (a retry, or a replay within Bolt's 5 minutes) may reach any
 * instance behind the load balancer: the request id is claimed in the shared store, so it is
 * handled once in all.
 */
describe('Slack: a request delivered to several instances is handled once', () => {
  it('one signed `keys create` delivered to A, then B, then A (two servers on one SQLite file) creates one key', async function () {
    this.timeout(30_000);
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-replays-'));
    const url = `sqlite://${join(dir, 'shared.sqlite')}`;
    const fake = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), teamId: TEAM });
    const clock = new FakeClock(Date.now());
    const a = await Gatehouse.open({ url, clock, watchMs: 20 });
    const b = await Gatehouse.open({ url, clock, watchMs: 20 });
    const servers: RunningServer[] = [];
    try {
      await seedDemo(a, TEAM);
      const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: url, GATEHOUSE_ACCOUNT_ID: TEAM, SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, GATEHOUSE_DEFAULT_CHANNEL: APPROVALS, LOG_LEVEL: 'warn' });
      const logger = recordingLogger();
      const sa = await startServer(config, { gatehouse: a, logger });
      servers.push(sa);
      const sb = await startServer(config, { gatehouse: b, logger });
      servers.push(sb);

      const responseUrl = fake.responseUrl();
      const body = commandBody({ command: config.SLACK_COMMAND, text: 'keys create replayed', teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: GENERAL, responseUrl, triggerId: fake.issueTrigger() });
      const timestamp = Math.floor(Date.now() / 1000);
      const keysNamed = async (gh: Gatehouse) => (await gh.account(TEAM)).listKeys({ userId: 'UADA' }, 'UADA').filter((k) => k.name === 'replayed').length;

      for (const server of [sa, sb, sa]) {
        const res = await postSigned(`${server.url}/slack/events`, SECRET, body, { timestamp });
        assert.equal(res.status, 200, 'every copy is acknowledged (Slack must not retry it)');
        await fake.waitFor(() => fake.responsesTo(responseUrl)[0], 'the answer to the first copy');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await sa.slack?.idle();
      await sb.slack?.idle();
      for (let i = 0; i < 100 && (await keysNamed(b)) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await keysNamed(a), 1, 'one key, as instance A sees it');
      assert.equal(await keysNamed(b), 1, 'one key, as instance B sees it');
      assert.equal(fake.responsesTo(responseUrl).length, 1, 'one answer');
      assert.ok(logger.lines.some((l) => l.msg === 'repeated Slack request acknowledged and skipped'));
      assert.deepEqual(logger.lines.filter((l) => l.level === 'error'), []);
    } finally {
      for (const s of servers) await s.close();
      await a.close();
      await b.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

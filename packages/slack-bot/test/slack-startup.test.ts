import assert from 'node:assert/strict';
import { Gatehouse } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { startServer } from '../src/server.js';
import { FakeSlack } from './support/fake-slack.js';
import { SECRET, TEAM, recordingLogger } from './support/slack-harness.js';

describe('Slack: start-up', () => {
  it('a bot token Slack refuses stops start-up with words saying what to fix', async () => {
    const fake = await FakeSlack.start();
    const gatehouse = await Gatehouse.open({ url: 'memory' });
    try {
      const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: TEAM, SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
      await assert.rejects(startServer(config, { gatehouse, logger: recordingLogger() }), /Slack refused the bot token \(auth\.test: .*invalid_auth\): check SLACK_BOT_TOKEN/);
      assert.equal(fake.calls.filter((c) => c.method === 'auth.test').length, 1, 'auth.test once, at start (not when the app is built)');
    } finally {
      await gatehouse.close();
      await fake.close();
    }
  });
});

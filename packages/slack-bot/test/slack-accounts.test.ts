import assert from 'node:assert/strict';
import type { Account } from '@gatehouse/core';
import { own } from '@gatehouse/core';
import { seedDemo } from '../src/demo.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, GENERAL, SECRET, TEAM, setupSlack, textOf } from './support/slack-harness.js';
import { blockActionPayload, commandBody, eventBody, interactionBody, postSigned } from './support/slack-requests.js';

/** A workspace whose account is in the same store as TEAM's. */
const OTHER = 'TOTHER';
const NOT_SERVED = ':no_entry: This Slack workspace (`TOTHER`) is not served by this Gatehouse server. The operator adds `TOTHER` to `GATEHOUSE_ACCOUNT_ID` of this server (a comma-separated list of team ids) and restarts it, or runs a Gatehouse server for that workspace.';

/**
 * A server serves the accounts GATEHOUSE_ACCOUNT_ID names, and no other, even one its store holds:
 * a signed request from another workspace is answered with what the operator does, and reads or
 * writes nothing of that workspace's account.
 */
describe('Slack: the accounts this server serves', () => {
  let ctx: SlackCtx;
  let other: Account;
  const setup = async (env: Record<string, string> = {}) => {
    ctx = await setupSlack({ env });
    await seedDemo(ctx.gatehouse, OTHER);
    other = await ctx.gatehouse.account(OTHER);
  };
  afterEach(async () => {
    await ctx.close();
  });

  /** The slash command as `userId` of workspace `teamId`; resolves with the ephemeral answer. */
  const command = async (teamId: string, userId: string, text: string) => {
    const responseUrl = ctx.fake.responseUrl();
    const body = commandBody({ command: ctx.config.SLACK_COMMAND, text, teamId, userId, userName: userId.slice(1).toLowerCase(), channelId: GENERAL, responseUrl, triggerId: ctx.fake.issueTrigger() });
    assert.equal((await postSigned(ctx.endpoint, SECRET, body)).status, 200);
    const got = await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], `the answer to "${text}"`);
    assert.equal(got['response_type'], 'ephemeral');
    return textOf(got);
  };

  describe(`GATEHOUSE_ACCOUNT_ID=${TEAM}; ${OTHER}'s account is in the same store`, () => {
    beforeEach(() => setup());

    it(`a slash command from ${OTHER} is refused saying what the operator does; nothing of ${OTHER} is read or written`, async () => {
      const seq = other.seq;
      assert.equal(await command(OTHER, 'UQUINN', 'whoami'), NOT_SERVED, 'a user of that account is not answered from it');
      assert.equal(await command(OTHER, 'UNEWCOMER', 'keys create sneaky'), NOT_SERVED);
      assert.equal(other.seq, seq, 'no event in that account');
      assert.equal(own(other.view.users, 'UNEWCOMER'), undefined, 'no user added');
      assert.equal(own(ctx.account.view.users, 'UNEWCOMER'), undefined, 'nor in the served account');
      assert.match(await command(TEAM, 'UQUINN', 'whoami'), /Quinn/, 'the served workspace is answered as before');
      ctx.assertClean();
    });

    it(`a button clicked in ${OTHER} is refused the same way`, async () => {
      const seq = other.seq;
      const responseUrl = ctx.fake.responseUrl();
      const payload = blockActionPayload({ teamId: OTHER, userId: 'UADA', userName: 'ada', channelId: APPROVALS, messageTs: '1.000001', actionId: 'access_deny:r1', blockId: 'b', value: 'r1', triggerId: ctx.fake.issueTrigger(), responseUrl });
      assert.equal((await postSigned(ctx.endpoint, SECRET, interactionBody(payload))).status, 200);
      assert.equal(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer')), NOT_SERVED);
      assert.equal(other.seq, seq);
      ctx.assertClean();
    });

    it(`the App Home opened in ${OTHER} says the same, and shows nothing of that account`, async () => {
      const body = eventBody(OTHER, 'EvOtherHome', { type: 'app_home_opened', user: 'UQUINN', channel: 'DUQUINN', tab: 'home' });
      assert.equal((await postSigned(ctx.endpoint, SECRET, body, { contentType: 'application/json' })).status, 200);
      const home = await ctx.home('UQUINN');
      assert.equal(home.text, `Gatehouse\n${NOT_SERVED}`, 'nothing of that account: no waiting list, no roles');
      ctx.assertClean();
    });

    it(`a user deactivated in ${OTHER}'s Slack is not deactivated in ${OTHER}'s account by this server (the event is logged and ignored)`, async () => {
      const body = eventBody(OTHER, 'EvOtherUser', { type: 'user_change', user: { id: 'UDEV', deleted: true, name: 'dev' } });
      assert.equal((await postSigned(ctx.endpoint, SECRET, body, { contentType: 'application/json' })).status, 200);
      const logged = await ctx.fake.waitFor(() => ctx.logger.lines.find((l) => l.msg.includes('does not serve')), 'the warning');
      assert.deepEqual(logged.facts, { team: OTHER, event: 'user_change' });
      assert.equal(own(other.view.users, 'UDEV')?.active, true);
      ctx.assertClean();
    });
  });

  describe(`GATEHOUSE_ACCOUNT_ID=${TEAM},${OTHER} (an Enterprise Grid org-wide install)`, () => {
    beforeEach(() => setup({ GATEHOUSE_ACCOUNT_ID: `${TEAM},${OTHER}` }));

    it('each workspace is served from its own account', async () => {
      const before = ctx.account.seq;
      assert.match(await command(OTHER, 'UQUINN', 'whoami'), /Quinn/);
      await command(OTHER, 'UNEWCOMER', 'whoami');
      assert.ok(own(other.view.users, 'UNEWCOMER'), `the newcomer joined ${OTHER}`);
      assert.equal(own(ctx.account.view.users, 'UNEWCOMER'), undefined, `and not ${TEAM}`);
      assert.equal(ctx.account.seq, before);
      await command(TEAM, 'UNEWBIE', 'whoami');
      assert.ok(own(ctx.account.view.users, 'UNEWBIE'), `${TEAM} is served too`);
      ctx.assertClean();
    });
  });
});

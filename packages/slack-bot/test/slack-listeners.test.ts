import assert from 'node:assert/strict';
import type { Account } from '@gatehouse/core';
import { Gatehouse } from '@gatehouse/core';
import { WebClient } from '@slack/web-api';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import { clientOptions } from '../src/slack/app.js';
import type { ListenerDeps } from '../src/slack/context.js';
import { approveAccess } from '../src/slack/listeners/actions/approve-access.js';
import { approveRelease } from '../src/slack/listeners/actions/approve-release.js';
import { approveVersion } from '../src/slack/listeners/actions/approve-version.js';
import { denyAccess } from '../src/slack/listeners/actions/deny-access.js';
import { rejectRelease } from '../src/slack/listeners/actions/reject-release.js';
import { rejectVersion } from '../src/slack/listeners/actions/reject-version.js';
import { slashCommand } from '../src/slack/listeners/commands/gatehouse.js';
import { assignRoleSubmitted } from '../src/slack/listeners/views/assign-role.js';
import { denyAccessSubmitted } from '../src/slack/listeners/views/deny-access.js';
import { rejectReleaseSubmitted } from '../src/slack/listeners/views/reject-release.js';
import { rejectVersionSubmitted } from '../src/slack/listeners/views/reject-version.js';
import { requestAccessSubmitted } from '../src/slack/listeners/views/request-access.js';
import { roleEditorSubmitted } from '../src/slack/listeners/views/role-editor.js';
import { ruleEditorSubmitted } from '../src/slack/listeners/views/rule-editor.js';
import { SUBMISSION_BUDGET_MS } from '../src/slack/listeners/views/submission.js';
import { Notifier } from '../src/slack/notifier.js';
import { SeenSet } from '../src/slack/queue.js';
import { FakeSlack, manifestBotScopes } from './support/fake-slack.js';
import { MANIFEST, TEAM, recordingLogger, ruleValues, state } from './support/slack-harness.js';
import { blockActionPayload, viewSubmissionPayload } from './support/slack-requests.js';

/**
 * Each listener called directly with a fake ack: ack() comes before any core write — but for a
 * modal submission, whose answer carries the refusal into the form. The user is a newcomer, so
 * the first write (ensureUser) is observable as the account's sequence number.
 */
describe('Slack listeners: ack() before any core work (a modal: the core first, within the budget)', () => {
  let fake: FakeSlack;
  let gatehouse: Gatehouse;
  let account: Account;
  let deps: ListenerDeps;
  let client: WebClient;
  let n = 0;
  let versionId: string;
  let releaseId: string;
  let requestId: string;

  before(async () => {
    fake = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), teamId: TEAM });
    gatehouse = await Gatehouse.open({ url: 'memory' });
    await seedDemo(gatehouse, TEAM);
    account = await gatehouse.account(TEAM);
    const config = ConfigSchema.parse({ GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: TEAM, SLACK_API_URL: fake.apiUrl });
    client = new WebClient(fake.botToken, clientOptions(config));
    const logger = recordingLogger();
    deps = { gatehouse, config, logger, notifier: new Notifier({ gatehouse, client, config, logger }), seen: new SeenSet() };
    versionId = Object.values(account.view.versions)[0]?.id ?? assert.fail('a demo version');
    releaseId = (await account.createRelease({ userId: 'URITA' }, { productId: 'checkout', name: 'r1' })).id;
    requestId = (await account.requestAccess({ userId: 'UVERA' }, { roleId: 'qa', durationMs: 3_600_000, reason: 'cover' })).id;
  });
  after(async () => {
    await gatehouse.close();
    await fake.close();
  });

  /** Runs a listener as a newcomer; returns the account's seq when ack() was called, before and after. */
  async function run(invoke: (userId: string, ack: () => Promise<void>) => Promise<void>) {
    const userId = `UNEW${++n}`;
    const before = account.seq;
    let atAck: number | null = null;
    await invoke(userId, () => {
      atAck ??= account.seq;
      return Promise.resolve();
    });
    assert.equal(atAck, before, 'ack() was called before anything was written');
    assert.ok(account.seq > before, 'the newcomer was recorded after the ack');
    assert.ok(account.view.users[userId], 'ensureUser ran');
  }

  const click = (userId: string, actionId: string, value: string) =>
    blockActionPayload({ teamId: TEAM, userId, userName: userId.toLowerCase(), channelId: 'CAPPROVALS', messageTs: '1.000001', actionId, blockId: 'b', value, triggerId: fake.issueTrigger(), responseUrl: fake.responseUrl() });
  const submission = (userId: string, callbackId: string, meta: unknown, values: Parameters<typeof viewSubmissionPayload>[0]['values']) =>
    viewSubmissionPayload({ teamId: TEAM, userId, userName: userId.toLowerCase(), view: { id: 'V1', hash: 'h', callback_id: callbackId, private_metadata: JSON.stringify(meta) }, values, triggerId: fake.issueTrigger() });

  it('the slash command', async () => {
    await run(async (userId, ack) => {
      const cb = slashCommand(deps);
      const command = { command: '/gatehouse', text: 'whoami', team_id: TEAM, user_id: userId, user_name: 'new', channel_id: 'C1', response_url: fake.responseUrl(), trigger_id: fake.issueTrigger() };
      await cb({ command, body: command, payload: command, ack, client, respond: () => Promise.resolve() } as unknown as Parameters<typeof cb>[0]);
    });
  });

  const buttons: [string, (d: ListenerDeps) => (args: never) => Promise<void>, string, () => string][] = [
    ['Approve version', approveVersion, 'version_approve:qa', () => versionId],
    ['Reject version', rejectVersion, 'version_reject:qa', () => versionId],
    ['Approve release', approveRelease, `release_approve:r`, () => releaseId],
    ['Reject release', rejectRelease, `release_reject:r`, () => releaseId],
    ['Approve access', approveAccess, `access_approve:r`, () => requestId],
    ['Deny access', denyAccess, `access_deny:r`, () => requestId],
  ];
  for (const [name, make, actionId, value] of buttons) {
    it(`button: ${name}`, async () => {
      await run(async (userId, ack) => {
        const body = click(userId, actionId, value());
        const cb = make(deps) as (args: unknown) => Promise<void>;
        await cb({ body, payload: (body['actions'] as unknown[])[0], action: (body['actions'] as unknown[])[0], ack, client, respond: () => Promise.resolve() });
      });
    });
  }

  /**
   * A modal submission is the exception: its one answer to Slack carries the core's refusal into
   * the form (response_action: errors), so the core runs first — within SUBMISSION_BUDGET_MS.
   * Returns what ack() was called with.
   */
  async function runModal(invoke: (userId: string, ack: (response?: unknown) => Promise<void>) => Promise<void>): Promise<unknown> {
    const userId = `UNEW${++n}`;
    const before = account.seq;
    const acks: { seq: number; response: unknown }[] = [];
    const started = performance.now();
    let ackedAfter = 0;
    await invoke(userId, (response?: unknown) => {
      acks.push({ seq: account.seq, response });
      ackedAfter = performance.now() - started;
      return Promise.resolve();
    });
    assert.equal(acks.length, 1, 'acknowledged once');
    assert.ok(ackedAfter < SUBMISSION_BUDGET_MS, `acknowledged after ${ackedAfter.toFixed(0)} ms`);
    assert.ok((acks[0]?.seq ?? 0) > before, 'the newcomer was recorded before the answer: the core ran first');
    assert.ok(account.view.users[userId], 'ensureUser ran');
    return acks[0]?.response;
  }

  /** Each form as a newcomer sends it, and where the core's refusal shows (null: accepted, the modal closes). */
  const views: [string, (d: ListenerDeps) => (args: never) => Promise<void>, string, unknown, Parameters<typeof viewSubmissionPayload>[0]['values'], string | null][] = [
    ['reject version', rejectVersionSubmitted, 'reject_version', { versionId: 'x', type: 'qa' }, { reason: state.text('because') }, 'reason'],
    ['reject release', rejectReleaseSubmitted, 'reject_release', { releaseId: 'x' }, { reason: state.text('because') }, 'reason'],
    ['deny access', denyAccessSubmitted, 'deny_access', { requestId: 'x' }, { reason: state.text('because') }, 'reason'],
    ['assign role', assignRoleSubmitted, 'assign_role', {}, { user: state.user('UVERA'), role: state.select('qa'), team: state.select('*'), expiry: state.select('0') }, 'team'],
    ['request access', requestAccessSubmitted, 'request_access', {}, { role: state.select('qa'), team: state.select('*'), duration: state.select('3600000'), reason: state.text('because') }, null],
    ['role editor', roleEditorSubmitted, 'role_editor', {}, { name: state.text('X'), scope: state.radio('team'), 'perm:gate:0': state.checks(['gate:override']) }, 'name'],
    ['rule editor', ruleEditorSubmitted, 'rule_editor', { environmentId: 'production' }, ruleValues({ qa: 1 }, ['sod']), 'quorum:qa'],
  ];
  for (const [name, make, callbackId, meta, values, field] of views) {
    it(`modal: ${name}`, async () => {
      const response = await runModal(async (userId, ack) => {
        const body = submission(userId, callbackId, meta, values);
        const cb = make(deps) as (args: unknown) => Promise<void>;
        await cb({ body, payload: body['view'], view: body['view'], ack, client, respond: () => Promise.resolve() });
      });
      if (field === null) assert.equal(response, undefined, 'accepted: the modal closes');
      else assert.deepEqual(Object.keys((response as { errors?: object } | undefined)?.errors ?? {}), [field], `refused on ${field}: ${JSON.stringify(response)}`);
    });
  }
});

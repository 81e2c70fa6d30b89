import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { OpenedView } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { MANIFEST, SECRET, TEAM, setupSlack, state, textOf } from './support/slack-harness.js';
import { blockSuggestionPayload, interactionBody, postSigned } from './support/slack-requests.js';

const ada = { userId: 'UADA' };
type Json = Record<string, unknown>;

/** The element of an input block of a view. */
function element(view: OpenedView, blockId: string): Json {
  const block = (view.view['blocks'] as Json[]).find((b) => b['block_id'] === blockId) ?? assert.fail(`no block ${blockId}`);
  return block['element'] as Json;
}

async function manyTeams(ctx: SlackCtx, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await ctx.account.createTeam(ada, { teamId: `team-${i}`, name: `Team ${i}` });
}

const teams = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Team ${from + i}`);

describe('Slack: pickers of more than 100 teams or roles (a static select shows 100)', () => {
  let ctx: SlackCtx;
  afterEach(async () => {
    await ctx.close();
  });

  it('assign, 120 teams: typing "team 11" offers Team 11 and Team 110–119; picking Team 115 grants the role in Team 115', async () => {
    ctx = await setupSlack();
    await manyTeams(ctx, 120);
    const { view } = await ctx.openModal('UADA', 'assign');
    const team = element(view, 'team');
    assert.equal(team['type'], 'external_select', 'the teams are loaded as the user types');
    assert.equal(team['min_query_length'], 0, 'the list opens before anything is typed');
    assert.equal((team['initial_option'] as { value: string }).value, '*', 'Global is still the default');
    assert.equal(element(view, 'role')['type'], 'static_select', 'the roles still fit a static select');

    const found = await ctx.suggest('UADA', view.id, 'team', 'team 11');
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.shown.map((o) => o.text),
      ['Team 11', ...teams(110, 119)],
      'the exact name first, then those starting with it, in number order',
    );
    const t115 = found.shown.find((o) => o.text === 'Team 115') ?? assert.fail('Team 115 is offered');
    assert.equal(t115.value, 'team-115');
    // By id too, whatever the case.
    assert.deepEqual((await ctx.suggest('UADA', view.id, 'team', 'TEAM-115')).shown.map((o) => o.value), ['team-115']);
    assert.deepEqual((await ctx.suggest('UADA', view.id, 'team', 'paym')).shown.map((o) => o.text), ['Payments']);
    assert.deepEqual((await ctx.suggest('UADA', view.id, 'team', 'atlantis')).shown, []);

    // Nothing typed yet: the first 100, in a group that says so.
    const first = await ctx.suggest('UADA', view.id, 'team', '');
    assert.equal(first.shown.length, 100);
    assert.equal(first.shown[0]?.text, 'Global (every team)');
    assert.equal(first.shown[0]?.group, '100 of 124: type more to narrow');

    const ok = await ctx.submit('UADA', view.id, { user: state.user('UDUC'), role: state.select('qa'), team: state.picked(found.actionId, t115), expiry: state.select('0') });
    assert.equal(ok.text, '', 'the modal closes');
    assert.ok(
      ctx.account.roles('UDUC').some((a) => a.roleId === 'qa' && a.teamId === 'team-115'),
      'QA granted in Team 115',
    );
    ctx.assertClean();
  });

  it('request access, 120 teams and 120 custom roles: both pickers load as one types (Admin is not requestable); the request names the picks', async () => {
    ctx = await setupSlack();
    await manyTeams(ctx, 120);
    for (let i = 1; i <= 120; i++) await ctx.account.createRole(ada, { roleId: `role-${i}`, name: `Role ${i}`, scope: 'team', permissions: ['version:approve:qa'] });
    const { cmd, view } = await ctx.openModal('UVIC', 'request');
    assert.equal(element(view, 'role')['type'], 'external_select');
    assert.equal(element(view, 'team')['type'], 'external_select');

    const roles = await ctx.suggest('UVIC', view.id, 'role', 'role 12');
    assert.deepEqual(
      roles.shown.map((o) => o.text),
      ['Role 12 (custom, team)', 'Role 120 (custom, team)'],
    );
    assert.deepEqual((await ctx.suggest('UVIC', view.id, 'role', 'admin')).shown, [], 'Admin cannot be requested');
    const role = roles.shown.find((o) => o.value === 'role-120') ?? assert.fail('Role 120 is offered');
    const team = (await ctx.suggest('UVIC', view.id, 'team', '101')).shown[0] ?? assert.fail('Team 101 is offered');
    assert.equal(team.text, 'Team 101');

    const ok = await ctx.submit('UVIC', view.id, { role: state.picked(roles.actionId, role), team: state.picked(`options:teams`, team), duration: state.select(String(8 * 3_600_000)), reason: state.text('release week') });
    assert.equal(ok.text, '');
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(cmd.responseUrl)[0], 'the answer');
    assert.match(textOf(reply), /Requested \*Role 120\* in \*Team 101\* for \*8h\*/);
    ctx.assertClean();
  });

  it('the fake refuses what Slack could not send: an option no picker offered', async () => {
    ctx = await setupSlack();
    await manyTeams(ctx, 120);
    const { view } = await ctx.openModal('UADA', 'assign');
    assert.deepEqual(ctx.fake.checkSubmission(view.id, { team: state.picked('options:teams', { value: 'team-115', text: 'Team 115' }) }), ["team: 'team-115' was never offered by the external_select"]);
    assert.deepEqual(ctx.fake.checkSubmission(view.id, { team: state.select('team-115') }), ['team: the element\'s action_id is options:teams, not v']);
    ctx.assertClean();
  });

  it('a picker this version does not know, or a payload it cannot read, gets no options at once', async () => {
    ctx = await setupSlack();
    const ask = async (payload: Json) => {
      const res = await postSigned(ctx.endpoint, SECRET, interactionBody(payload));
      assert.equal(res.status, 200);
      assert.ok(res.ms < 1_000, `answered in ${res.ms.toFixed(0)} ms`);
      return JSON.parse(res.text) as unknown;
    };
    const view = { id: 'V1', hash: 'h', callback_id: 'assign_role', private_metadata: '{}' };
    const base = { teamId: TEAM, userId: 'UADA', userName: 'ada', view, blockId: 'team', value: 'x' };
    assert.deepEqual(await ask(blockSuggestionPayload({ ...base, actionId: 'options:planets' })), { options: [] });
    assert.deepEqual(await ask(blockSuggestionPayload({ ...base, actionId: 'someone_elses_select' })), { options: [] });
    assert.deepEqual(await ask({ ...blockSuggestionPayload({ ...base, actionId: 'options:teams' }), value: 42 }), { options: [] });
    assert.deepEqual(await ask(blockSuggestionPayload({ ...base, actionId: 'options:teams', value: 'paym' })), { options: [{ text: { type: 'plain_text', text: 'Payments', emoji: true }, value: 'payments' }] });
    assert.equal(ctx.logger.lines.filter((l) => l.level === 'warn').length, 3, 'each ignored one is logged as a warning');
    ctx.assertClean();
  });

  it('Socket Mode: a block_suggestion envelope is answered in its ack', async () => {
    ctx = await setupSlack({ socketMode: true });
    await ctx.fake.waitFor(() => ctx.fake.socketClients === 1, 'the WebSocket connection');
    const payload = blockSuggestionPayload({ teamId: TEAM, userId: 'UADA', userName: 'ada', view: { id: 'V1', hash: 'h', callback_id: 'assign_role', private_metadata: '{}' }, actionId: 'options:teams', blockId: 'team', value: 'sea' });
    ctx.fake.sendEnvelope({ envelope_id: 'env-options', type: 'interactive', payload, accepts_response_payload: true });
    const ack = await ctx.fake.waitFor(() => ctx.fake.socketInbox.find((m) => m['envelope_id'] === 'env-options'), 'the ack');
    assert.deepEqual(ack, { envelope_id: 'env-options', payload: { options: [{ text: { type: 'plain_text', text: 'Search', emoji: true }, value: 'search' }] } });
    ctx.assertClean();
  });

  it('the manifest sends options requests to the app\'s endpoint (HTTP mode; Socket Mode delivers them on the socket)', () => {
    const manifest = readFileSync(MANIFEST, 'utf8');
    assert.match(manifest, /interactivity:\n(?:\s+#.*\n)*\s+is_enabled: true\n\s+request_url: https:\/\/gatehouse\.example\.com\/slack\/events\n(?:\s+#.*\n)*\s+message_menu_options_url: https:\/\/gatehouse\.example\.com\/slack\/events\n/);
  });
});

import assert from 'node:assert/strict';
import type { AccessRequest, AuditEvent, EventBody, Evaluation, GatehouseError, WriteOutcome } from '@gatehouse/core';
import { APPROVAL_TYPES, ERROR_CODES, GatehouseError as GE, PERMISSIONS, STATIC_ROLES, StoreUnavailableError, emptyState } from '@gatehouse/core';
import { pendingRequestsMessage } from '../src/slack/blocks/access.js';
import type { ApprovalCard } from '../src/slack/blocks/approval.js';
import { approvalMessage, cardState } from '../src/slack/blocks/approval.js';
import { textBlocks } from '../src/slack/blocks/common.js';
import { roleChangeDm } from '../src/slack/blocks/dm.js';
import { deployedReply, gateOverriddenReply, releaseDecisionReply, versionDecisionReply } from '../src/slack/blocks/thread.js';
import { assignRoleView, denyAccessView, readRoleEditor, rejectVersionView, requestAccessView, roleEditorView } from '../src/slack/blocks/modals.js';
import type { Names } from '../src/slack/format.js';
import { explainError } from '../src/slack/messages.js';
import { formatDuration, parseDuration, tokenize } from '../src/slack/parse.js';
import { checkBlocks, checkModal } from './support/block-kit.js';
import { actionIds } from './support/slack-harness.js';

const names: Names = { state: emptyState('TX'), role: (id) => Object.values(STATIC_ROLES).find((r) => r.id === id) };

function evaluation(environmentId: string, opts: { ready?: boolean; rejected?: boolean } = {}): Evaluation {
  return {
    versionId: 'ver_1',
    environmentId,
    ready: opts.ready ?? false,
    rules: ['rule_1'],
    separationOfDuties: true,
    requirements: APPROVAL_TYPES.map((type) => ({ type, quorum: 3, approvedBy: ['UA', 'UB'], rejectedBy: opts.rejected && type === 'security' ? ['UC'] : [], missing: 1, satisfied: opts.ready ?? false })),
    release: { required: true, releaseId: 'rel_1', approved: false, approvedBy: [], rejectedBy: [] },
    missing: opts.ready ? [] : APPROVAL_TYPES.map((t) => `${t}: 1 more approval`),
  };
}

function card(envs: number, opts: { ready?: boolean; rejected?: boolean } = {}): ApprovalCard {
  const version = { id: 'ver_1', productId: 'p', version: '1.0.0-' + 'x'.repeat(90), createdBy: 'UDEV', createdAt: 0, releaseId: 'rel_1', decisions: [], requestedFor: [], message: null };
  return {
    version,
    product: { id: 'p', name: 'P'.repeat(80), teamId: 'payments', channel: null, createdAt: 0 },
    environments: Array.from({ length: envs }, (_, i) => ({ environment: { id: `env${i}`, name: `environment-${i}`, production: i === 0 }, evaluation: evaluation(`env${i}`, opts) })),
    release: { id: 'rel_1', productId: 'p', name: '2026.1', createdBy: 'URITA', createdAt: 0, locked: false, archived: false, decisions: [] },
  };
}

describe('Slack: Block Kit builders stay within what Slack accepts', () => {
  it('the approval message: every approval type, a release and many environments fit, action_ids unique', () => {
    const msg = approvalMessage(names, card(12));
    assert.deepEqual(checkBlocks(msg.blocks, 'message'), []);
    const ids = actionIds({ blocks: msg.blocks as unknown as Record<string, unknown>[] });
    assert.equal(ids.length, APPROVAL_TYPES.length * 2 + 2, 'Approve and Reject per type, and for the release');
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(cardState(card(2)), 'pending');
  });

  it('the approval message loses its buttons when ready; when rejected, only the rejected requirement keeps one (Approve … instead)', () => {
    for (const [opts, ids] of [
      [{ ready: true }, []],
      [{ rejected: true }, ['version_approve:security']],
    ] as const) {
      const msg = approvalMessage(names, card(2, opts));
      assert.deepEqual(checkBlocks(msg.blocks, 'message'), []);
      assert.deepEqual(actionIds({ blocks: msg.blocks as unknown as Record<string, unknown>[] }), ids);
    }
    assert.equal(cardState(card(1, { ready: true })), 'ready');
    assert.equal(cardState(card(1, { rejected: true })), 'rejected');
  });

  it('the role editor: one checkbox group per resource, ≤ 10 options each, every permission exactly once', () => {
    const view = roleEditorView({ channel: null, responseUrl: null, roleId: null }, null);
    assert.deepEqual(checkModal(view), []);
    const offered = (view.blocks as { element?: { type?: string; options?: { value?: string }[] } }[]).flatMap((b) => (b.element?.type === 'checkboxes' ? (b.element.options ?? []).map((o) => o.value) : []));
    assert.deepEqual([...offered].sort(), [...PERMISSIONS].sort());
    const admin = roleEditorView({ channel: null, responseUrl: null, roleId: 'r' }, { ...STATIC_ROLES.admin, kind: 'custom' });
    assert.deepEqual(checkModal(admin), [], 'initial options are among the options');
    const read = readRoleEditor({ name: { v: { type: 'plain_text_input', value: ' Ops ' } }, scope: { v: { type: 'radio_buttons', selected_option: { value: 'global' } } }, 'perm:gate:0': { v: { type: 'checkboxes', selected_options: [{ value: 'gate:override' }] } } });
    assert.deepEqual(read, { ok: true, input: { name: 'Ops', description: '', scope: 'global', permissions: ['gate:override'] } });
  });

  it('the other modals and the pending-requests list', () => {
    const roles = Object.values(STATIC_ROLES);
    const teams = Array.from({ length: 150 }, (_, i) => ({ id: `t${i}`, name: `Team ${i}`, createdAt: 0 }));
    for (const v of [assignRoleView({ channel: 'C1', responseUrl: null }, roles, teams), requestAccessView({ channel: null, responseUrl: null }, roles, teams), rejectVersionView({ channel: 'C1', responseUrl: null, versionId: 'v', type: 'qa', ts: '1.2' }, 'x'.repeat(500), 'qa'), denyAccessView({ channel: null, responseUrl: null, requestId: 'r', ts: null, list: false }, 'y'.repeat(5000))]) {
      assert.deepEqual(checkModal(v), [], String(v.callback_id));
    }
    const pending: AccessRequest[] = Array.from({ length: 40 }, (_, i) => ({ id: `req_${i}`, userId: 'UV', roleId: 'qa', teamId: null, durationMs: 3_600_000, reason: 'r'.repeat(1000), status: 'pending', createdAt: 0, decidedBy: null, decidedAt: null, decisionReason: null, grantId: null }));
    const list = pendingRequestsMessage(names, '/gatehouse', pending);
    assert.deepEqual(checkBlocks(list.blocks, 'message'), []);
    // What did not fit is counted, and the way to the rest is named.
    const shown = list.blocks.filter((b) => b.type === 'actions').length;
    assert.ok(shown > 0 && shown < 40);
    const last = list.blocks.at(-1);
    assert.ok(last?.type === 'context');
    assert.deepEqual(last.elements.map((e) => ('text' in e ? e.text : '')), [`…and ${40 - shown} more, newer than these: decide these, then \`/gatehouse requests\` lists the next ones.`]);
  });

  it('long text is split into sections under the limits', () => {
    const blocks = textBlocks(Array.from({ length: 4000 }, (_, i) => `line ${i} ${'z'.repeat(60)}`).join('\n'));
    assert.deepEqual(checkBlocks(blocks, 'message'), []);
    assert.equal(blocks.length, 50);
  });
});

describe('Slack: command text', () => {
  it('tokenizes mentions (escaped or not), quoted phrases and curly quotes', () => {
    assert.deepEqual(tokenize('assign <@U123|dana> "Release Manager" payments “for real”'), [
      { kind: 'word', text: 'assign' },
      { kind: 'user', id: 'U123', name: 'dana' },
      { kind: 'word', text: 'Release Manager' },
      { kind: 'word', text: 'payments' },
      { kind: 'word', text: 'for real' },
    ]);
    assert.deepEqual(tokenize('<@W42>'), [{ kind: 'user', id: 'W42', name: null }]);
  });

  it('tokenizes channels as Slack escapes them', () => {
    assert.deepEqual(tokenize('settings channel <#C0APPROVE|approvals> <#G42>'), [
      { kind: 'word', text: 'settings' },
      { kind: 'word', text: 'channel' },
      { kind: 'channel', id: 'C0APPROVE', name: 'approvals' },
      { kind: 'channel', id: 'G42', name: null },
    ]);
  });

  it('parses durations strictly', () => {
    assert.equal(parseDuration('8h'), 8 * 3_600_000);
    assert.equal(parseDuration('2d'), 2 * 86_400_000);
    assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
    assert.equal(parseDuration('2 days'), 2 * 86_400_000);
    assert.equal(parseDuration('90min'), 90 * 60_000);
    assert.equal(parseDuration('1w'), 7 * 86_400_000);
    for (const bad of ['8', 'soon', '0h', '3x', '', 'h8', '1constructor', '2toString']) assert.equal(parseDuration(bad), null, bad);
    assert.equal(formatDuration(36 * 3_600_000), '1d 12h');
  });
});

describe('Slack: refusals in words', () => {
  it('every core error code has an explanation', () => {
    for (const code of ERROR_CODES) {
      const err: GatehouseError = new GE(code, `something about ${code}`, {});
      const text = explainError(err, names, '/gatehouse');
      assert.ok(text.length > 10, code);
    }
  });

  it('a store that is away: nothing was changed, or (the connection broke after sending) it may have been recorded', () => {
    const away = (outcome: WriteOutcome) => explainError(new StoreUnavailableError('redis', outcome, 'cannot be reached'), names, '/gh');
    assert.equal(away('unchanged'), ':warning: Gatehouse cannot reach its store right now; nothing was changed. Try again in a minute.');
    assert.equal(away('unknown'), ':warning: Gatehouse lost its store while saving this, so it may or may not have been recorded. Check in a minute before trying again.');
  });

  it('a denial names the permission, the scope and the roles that would grant it', () => {
    const err = new GE('forbidden', 'x', { userId: 'U1', permission: 'version:approve:qa', teamId: null, grantingRoles: ['admin', 'qa'], cause: 'missing_permission' });
    assert.equal(explainError(err, names, '/gh'), ':no_entry: You need `version:approve:qa` globally, which none of your roles grants. Roles that grant it: Admin, QA. Ask an administrator, or request it for a while: `/gh request qa for 8h because <reason>`.');
  });
});

describe('Slack: what the notifier posts', () => {
  function setup() {
    const state = emptyState('TX');
    state.environments['production'] = { id: 'production', name: 'Production <eu>', productId: null, production: true, createdAt: 0 };
    const n: Names = { state, role: (id) => names.role(id) };
    const event = <B extends EventBody>(body: B, actor = 'UA') => ({ ...body, id: '1.0', seq: 1, actor, keyId: null, at: 0, prev: '', hash: '' }) as B & AuditEvent;
    return { n, event };
  }

  it('decision replies say who decided which type, a withdrawn rejection and the reason', () => {
    const { n, event } = setup();
    const decided = (decision: 'approve' | 'reject', previous: 'approve' | 'reject' | null, reason: string | null) =>
      event({ type: 'version.decided', data: { versionId: 'ver_1', approvalType: 'qa', decision, reason, approverId: 'UQ', previous } });
    assert.equal(versionDecisionReply(n, decided('approve', null, null)), ':white_check_mark: <@UQ> approved *QA*');
    assert.equal(versionDecisionReply(n, decided('approve', 'reject', null)), ':white_check_mark: <@UQ> approved *QA* (withdrawing their rejection)');
    assert.equal(versionDecisionReply(n, decided('reject', null, 'a <b>')), ':x: <@UQ> rejected *QA*: _a &lt;b&gt;_');
  });

  it('release, override and deployment replies name the release and environment (their ids when unknown)', () => {
    const { n, event } = setup();
    assert.equal(releaseDecisionReply(n, event({ type: 'release.decided', data: { releaseId: 'rel_9', decision: 'reject', reason: 'no', approverId: 'UR', previous: null } })), ':x: <@UR> rejected the release *rel_9*: _no_');
    const override = event({ type: 'gate.overridden', data: { deploymentId: 'dep_1', versionId: 'ver_1', environmentId: 'production', reason: 'outage', missing: ['qa: 1 more approval'] } });
    assert.equal(gateOverriddenReply(n, override), ':rotating_light: <@UA> *overrode the gate* to deploy to *Production &lt;eu&gt;* without: qa: 1 more approval.\nReason: _outage_');
    const deployed = event({ type: 'deployment.created', data: { deployment: { id: 'dep_1', versionId: 'ver_1', environmentId: 'staging', createdBy: 'UA', createdAt: 0, override: null } } });
    assert.equal(deployedReply(n, deployed), ':rocket: <@UA> deployed to *staging*.');
  });

  it('a role-change DM says who changed the roles, or that a time-bound grant ended', () => {
    const { n } = setup();
    const c = { before: [], after: [], expiredRequest: null };
    assert.match(roleChangeDm(n, { ...c, actor: 'UADA' }, '/gatehouse').text, /^:busts_in_silhouette: Your Gatehouse roles changed \(by <@UADA>\)\.$/);
    assert.match(roleChangeDm(n, { ...c, actor: 'system' }, '/gatehouse').text, /^:hourglass: Your Gatehouse roles changed \(a time-bound grant ended\)\.$/);
    assert.match(roleChangeDm(n, { ...c, actor: 'system', expiredRequest: 'req_gone' }, '/gatehouse').text, /^:hourglass: Your temporary access has expired\.$/);
  });
});

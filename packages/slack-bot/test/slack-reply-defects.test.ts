import assert from 'node:assert/strict';
import type { ErrorCode } from '@gatehouse/core';
import { ERROR_CODES, GatehouseError, StorageConflictError, StoreUnavailableError } from '@gatehouse/core';
import { ApiErrorSchema } from '@gatehouse/core/contract';
import { namesOf } from '../src/slack/context.js';
import { explainError } from '../src/slack/messages.js';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, actionIds, at, setupSlack, state, textOf } from './support/slack-harness.js';

const DAY = 86_400_000;

/** Words too common to tell two clauses apart. */
const STOP = new Set(['a', 'an', 'the', 'to', 'of', 'in', 'it', 'is', 'and', 'or', 'your', 'their', 'with', 'for', 'this', 'that', 'be', 'by', 'on', 'at', 'as', 'first', 'then', 'you', 'its']);

/**
 * Clauses said twice in a text: the text cut at sentence and clause marks (. ; : ( ) — and line
 * breaks), code, mentions and emoji left out; two clauses of 2+ words repeat when at least two
 * thirds of the shorter one's words are in the other.
 */
function repeatedClauses(text: string): string[] {
  const clauses = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/:[a-z_]+:/g, ' ')
    .split(/[.;:!?\n()—]+/)
    .map((c) => ({ text: c.trim(), words: c.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter((w) => w && !STOP.has(w)) }))
    .filter((c) => c.words.length >= 2);
  const out: string[] = [];
  for (let i = 0; i < clauses.length; i++) {
    for (let j = i + 1; j < clauses.length; j++) {
      const [a, b] = [clauses[i], clauses[j]].sort((x, y) => (x?.words.length ?? 0) - (y?.words.length ?? 0));
      if (!a || !b) continue;
      const shared = a.words.filter((w) => b.words.includes(w)).length;
      if (shared / a.words.length >= 2 / 3) out.push(`"${a.text}" ~ "${b.text}"`);
    }
  }
  return out;
}

/** The first ephemeral answer to a click (its response_url). */
async function clickAnswer(ctx: SlackCtx, userId: string, msg: PostedMessage, actionId: string): Promise<string> {
  const r = await ctx.click(userId, msg, actionId);
  return textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], `the answer to ${actionId}`));
}

/** Dev (or `by`) creates a Checkout version and asks approval for the environments; resolves with its card once posted. */
async function card(ctx: SlackCtx, version: string, environments: string[], by = 'UDEV'): Promise<{ id: string; msg: PostedMessage }> {
  const { version: v } = await ctx.account.createVersion({ userId: by }, { productId: 'checkout', version });
  for (const environmentId of environments) await ctx.account.requestApproval({ userId: by }, { versionId: v.id, environmentId });
  const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[v.id]?.message, 'the card');
  await ctx.settle();
  return { id: v.id, msg: ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('not posted') };
}

/** An access request by `userId`, and its message in the approvers' channel. */
async function requestMessage(ctx: SlackCtx, userId: string): Promise<{ id: string; msg: PostedMessage }> {
  await ctx.answer(userId, 'request sre payments for 8h because incident 4711');
  const r = ctx.account.pendingAccessRequests().find((x) => x.userId === userId) ?? assert.fail('no request');
  await ctx.settle();
  const msg = await ctx.fake.waitFor(() => ctx.fake.channelMessages(APPROVALS).find((m) => actionIds(m).includes(`access_approve:${r.id}`)), 'the request message');
  return { id: r.id, msg };
}

/** A custom global role holding user_role:manage, granted to Rita (a Release Manager, not an Admin). */
async function peopleManager(ctx: SlackCtx): Promise<void> {
  if (ctx.account.listRoles().some((r) => r.id === 'people')) return;
  const role = await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'people', name: 'People', scope: 'global', permissions: ['user_role:manage'] });
  await ctx.account.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'URITA' }, roleId: role.id });
}

/** A refusal as a user meets it in Slack, and what its answer must say. */
interface Scenario {
  what: string;
  run: (ctx: SlackCtx) => Promise<string>;
  says: RegExp;
  /** What must not be there (e.g. advice that does not apply). */
  not?: RegExp;
  /** Text that must appear exactly once. */
  once?: string[];
}

const ask = (userId: string, text: string) => (ctx: SlackCtx) => ctx.answer(userId, text);

/** Adding a version to a release just locked or archived. */
const intoRelease = (verb: 'lock' | 'archive') => async (ctx: SlackCtx) => {
  await ctx.answer('UADA', 'release create checkout 2026.1');
  await ctx.answer('UADA', `release ${verb} 2026.1`);
  return ctx.answer('UADA', 'release add 2026.1 checkout 1.4.0');
};

/**
 * Every error code, with the Slack commands and clicks that meet it — or, for the codes no Slack
 * input reaches, a core error of that code (their words are Slack's own, checked the same way).
 */
const REFUSALS: Record<ErrorCode, Scenario[] | { unreachable: string; err: GatehouseError }> = {
  validation_failed: [
    { what: 'a duration over a year', run: ask('UADA', `assign ${at('UVERA')} qa payments for 400d`), says: /^:memo: That did not validate:\n• Duration: at most a year$/ },
    { what: 'a name over 80 characters', run: ask('UADA', `team create longname ${'x'.repeat(81)}`), says: /• Name: at most 80 characters$/ },
    { what: 'an access request longer than the account allows', run: ask('UVAL', 'request qa for 31d because cover for Quinn'), says: /^:memo: The longest access you can request is 30 days\.$/ },
  ],
  not_found: [{ what: 'an unknown role', run: ask('UADA', 'role nosuch'), says: /does not exist\. \(`roles` lists them\)$/ }],
  conflict: [{ what: 'a team id taken', run: ask('UADA', 'team create payments Payments'), says: /^:no_entry: Team 'payments' already exists\. Pick another name or id\.$/ }],
  forbidden: [{ what: 'assign without user_role:manage', run: ask('UVERA', `assign ${at('UDANA')} qa payments`), says: /^:no_entry: You need `user_role:manage` in team Payments/ }],
  self_change: [
    { what: 'assigning oneself a role', run: ask('UADA', `assign ${at('UADA')} qa payments`), says: /^:no_entry: Nobody changes their own roles: ask another administrator \(`\/gatehouse holders admin` lists the Admins\)\.$/ },
    { what: 'deactivating oneself', run: ask('UADA', `user deactivate ${at('UADA')}`), says: /^:no_entry: Nobody changes their own roles or status: ask another administrator/ },
    { what: 'delegating to oneself', run: ask('UQUINN', `delegate ${at('UQUINN')} for 2d`), says: /^:no_entry: You cannot delegate to yourself\.$/ },
    {
      what: 'approving one’s own access request',
      run: async (ctx) => {
        const { id, msg } = await requestMessage(ctx, 'UADA');
        return clickAnswer(ctx, 'UADA', msg, `access_approve:${id}`);
      },
      says: /^:no_entry: You cannot decide your own access request: another administrator must/,
    },
  ],
  escalation: [
    {
      what: 'a non-Admin making an Admin',
      run: async (ctx) => {
        await peopleManager(ctx);
        return ctx.answer('URITA', `assign ${at('UVERA')} admin`);
      },
      says: /^:no_entry: Only an Admin makes an Admin: ask one \(`\/gatehouse holders admin` lists them\)\.$/,
    },
    {
      what: 'granting a role with permissions one lacks',
      run: async (ctx) => {
        await peopleManager(ctx);
        return ctx.answer('URITA', `assign ${at('UVERA')} sre`);
      },
      says: /^:no_entry: You cannot grant SRE: it holds permissions you do not hold \(`[^)]*`integration:manage`[^)]*\)\. Ask an Admin to grant it\.$/,
    },
    { what: 'Admin as the default role', run: ask('UADA', 'settings default-role admin'), says: /^:no_entry: The default role for newcomers cannot be Admin\.$/ },
    { what: 'delegating without approval roles', run: ask('UDEV', `delegate ${at('UDANA')} for 2d`), says: /^:no_entry: You give no approvals, so there is nothing to delegate\.$/, not: /grant|Admin/ },
  ],
  last_admin: [
    {
      what: 'revoking the last Admin',
      run: async (ctx) => {
        await peopleManager(ctx);
        await ctx.answer('UADA', `revoke ${at('UGRACE')} admin`);
        return ctx.answer('URITA', `revoke ${at('UADA')} admin`);
      },
      says: /^:warning: <@UADA> is the last active Admin, and the account must keep one: make someone else an Admin first \(`\/gatehouse assign @someone admin`\), then try again\.$/,
    },
  ],
  static_role_immutable: [
    { what: 'deleting a static role', run: ask('UADA', 'role delete qa'), says: /^:lock: \*QA\* is a static role: it cannot be edited, renamed or deleted\. Create a custom role/ },
    { what: 'renaming a static role', run: ask('UADA', 'role rename qa to Testers'), says: /^:lock: \*QA\* is a static role/ },
    { what: 'editing a static role', run: ask('UADA', 'role edit qa'), says: /^:lock: \*QA\* is a static role/ },
  ],
  role_in_use: [
    {
      what: 'deleting a role still granted',
      run: async (ctx) => {
        await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'auditor', name: 'Auditor', permissions: ['audit:view'] });
        await ctx.answer('UADA', `assign ${at('UVERA')} auditor payments`);
        return ctx.answer('UADA', 'role delete auditor');
      },
      says: /^:no_entry: \*Auditor\* is still granted to <@UVERA> in Payments: revoke those grants first \(`\/gatehouse revoke @user auditor \[team\]`\), then delete it\.$/,
      once: ['UVERA', 'Auditor'],
    },
    {
      what: 'deleting the default role',
      run: async (ctx) => {
        await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'greeter', name: 'Greeter', permissions: ['product:view'] });
        await ctx.answer('UADA', 'settings default-role greeter');
        return ctx.answer('UADA', 'role delete greeter');
      },
      says: /^:no_entry: \*Greeter\* is the default role for newcomers: choose another first \(`\/gatehouse settings default-role <role>`\), then delete it\.$/,
      not: /revoke/i,
    },
  ],
  role_scope: [
    {
      what: 'a team role granted globally',
      run: async (ctx) => {
        await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'auditor', name: 'Auditor', permissions: ['audit:view'] });
        return ctx.answer('UADA', `assign ${at('UVERA')} auditor`);
      },
      says: /^:no_entry: 'Auditor' is a team role: name the team to grant it in \(`\/gatehouse role auditor` shows the role\)\.$/,
    },
  ],
  user_inactive: [
    {
      what: 'assigning to a deactivated user',
      run: async (ctx) => {
        await ctx.answer('UADA', `user deactivate ${at('UVIC')}`);
        return ctx.answer('UADA', `assign ${at('UVIC')} qa payments`);
      },
      says: /^:no_entry: <@UVIC> is deactivated: reactivate them first\.$/,
    },
  ],
  separation_of_duties: [
    {
      what: 'approving one’s own version',
      run: async (ctx) => clickAnswer(ctx, 'UADA', (await card(ctx, '7.0.0', ['production'], 'UADA')).msg, 'version_approve:qa'),
      says: /separation of duties/,
    },
  ],
  release_locked: [{ what: 'adding a version to a locked release', run: intoRelease('lock'), says: /^:lock: Release '2026\.1' is locked: unlock it first\.$/ }],
  release_archived: [{ what: 'adding a version to an archived release', run: intoRelease('archive'), says: /^:lock: Release '2026\.1' is archived: restore it first\.$/ }],
  deployment_blocked: [
    { what: 'deploying before the approvals', run: ask('UDEV', 'deploy checkout 1.5.0-rc.1 staging'), says: /^:octagonal_sign: Checkout 1\.5\.0-rc\.1 cannot go to staging yet\. Still missing:\n• qa: 1 more approval\n/ },
  ],
  reason_required: { unreachable: 'the core never raises it: reasons are checked by the command schemas (validation_failed)', err: new GatehouseError('reason_required', 'a rejection needs a reason') },
  request_not_pending: [
    {
      what: 'denying a request already approved',
      run: async (ctx) => {
        const { id, msg } = await requestMessage(ctx, 'UVAL');
        await ctx.click('UADA', msg, `access_approve:${id}`);
        await ctx.settle();
        return clickAnswer(ctx, 'UGRACE', msg, `access_deny:${id}`);
      },
      says: /^:information_source: This request was already approved by <@UADA>: nothing changed\.$/,
    },
  ],
  invalid_key: { unreachable: 'only the REST API takes keys', err: new GatehouseError('invalid_key', 'the API key or token is not valid: create a new one') },
  storage_conflict: { unreachable: 'no input makes it', err: new StorageConflictError('TDEMO', 5) },
  storage_corrupt: { unreachable: 'no input makes it', err: new GatehouseError('storage_corrupt', 'stored commit failed validation', { what: 'commit' }) },
  storage_unavailable: { unreachable: 'a store outage: store-outage.test.ts drives it with a real Redis and PostgreSQL', err: new StoreUnavailableError('redis', 'unchanged', 'cannot be reached') },
};

describe('Slack: replies say each thing once, truthfully (issue 12)', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  for (const code of ERROR_CODES) {
    it(`refusal ${code}: said once, with advice that applies`, async () => {
      const entry = REFUSALS[code];
      if ('unreachable' in entry) {
        const text = explainError(entry.err, namesOf(ctx.account), '/gatehouse');
        assert.deepEqual(repeatedClauses(text), [], text);
        return;
      }
      for (const s of entry) {
        const text = await s.run(ctx);
        assert.match(text, s.says, `${s.what}: ${text}`);
        if (s.not) assert.doesNotMatch(text, s.not, s.what);
        assert.deepEqual(repeatedClauses(text), [], `${s.what}: ${text}`);
        for (const o of s.once ?? []) assert.equal(text.split(o).length - 1, 1, `${s.what}: "${o}" once in ${text}`);
      }
      ctx.assertClean();
    });
  }
});

describe('Slack: approval cards, assignments and DMs (issue 12)', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const rest = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ctx.server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const keyOf = (userId: string) => ctx.demo?.keys.find((k) => k.userId === userId)?.secret ?? assert.fail(`no key for ${userId}`);

  it('a rejected card offers "Approve … instead" on the rejected requirement: the rejecter withdraws from Slack; another approver is told whose rejection stands', async () => {
    const { msg } = await card(ctx, '8.2.0', ['production']);
    await ctx.click('USEC', msg, 'version_reject:security');
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    await ctx.submit('USEC', view.id, { reason: state.text('CVE-2026-10') });
    await ctx.settle();
    const rejected = textOf(msg);
    assert.match(rejected, /^Rejected: Checkout 8\.2\.0/);
    assert.deepEqual(actionIds(msg), ['version_approve:security'], 'one button, on the rejected requirement');
    assert.match(rejected, /Approve Security instead/);
    assert.match(rejected, /:x: A rejection stands until its approver withdraws it with \*Approve … instead\* above/, 'the footer says how, from Slack');
    assert.doesNotMatch(rejected, /by approving from the REST API or VS Code/);

    // Someone who cannot give Security is refused by the core.
    assert.match(await clickAnswer(ctx, 'UQUINN', msg, 'version_approve:security'), /^:no_entry: You need `version:approve:security`/);
    // Another approver's approval counts, but the rejection stands until its approver withdraws it.
    assert.match(await clickAnswer(ctx, 'UGRACE', msg, 'version_approve:security'), /^Your \*Security\* approval is recorded, but it stays rejected until <@USEC> withdraws their rejection\.$/);
    await ctx.settle();
    assert.match(textOf(msg), /^Rejected: /);

    // The rejecter withdraws it from Slack: the card is pending again, with its buttons back.
    await ctx.click('USEC', msg, 'version_approve:security');
    await ctx.settle();
    assert.match(textOf(msg), /^Approval needed: Checkout 8\.2\.0/);
    assert.match(textOf(msg), /Security\* · 2 of 1 — approved by <@UGRACE>, <@USEC>/);
    assert.deepEqual(actionIds(msg).sort(), ['version_approve:operational', 'version_approve:qa', 'version_reject:operational', 'version_reject:qa']);
    assert.equal(ctx.fake.threadReplies(msg.channel, msg.ts).at(-1)?.text, ':white_check_mark: <@USEC> approved *Security* (withdrawing their rejection)');
    ctx.assertClean();
  });

  it('assign repeated with the same role, team and duration: "already holds …; nothing changed", no DM; a later expiry is an extension, said so in the reply and the DM', async () => {
    const cmd = `assign ${at('UVERA')} qa payments for 2d`;
    assert.match(await ctx.answer('UADA', cmd), /^:white_check_mark: <@UVERA> now holds \*QA\* in \*Payments\* until <!date\^/);
    await ctx.settle();
    assert.equal(ctx.fake.dmsTo('UVERA').length, 1);
    const seq = ctx.account.seq;
    const until = ctx.account.roles('UVERA').find((r) => r.roleId === 'qa')?.expiresAt ?? assert.fail('no expiry');

    // The same command a few seconds later asks for an expiry 30 s later: nothing a person would call a change.
    ctx.clock.advance(30_000);
    const again = await ctx.answer('UADA', cmd);
    assert.equal(again, `<@UVERA> already holds *QA* in *Payments* until <!date^${Math.floor(until / 1000)}^{date_short_pretty} {time}|${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC>; nothing changed.`);
    await ctx.settle();
    assert.equal(ctx.account.seq, seq, 'no event');
    assert.equal(ctx.fake.dmsTo('UVERA').length, 1, 'no DM');

    // Less than is held: nothing changes either, and the reply says how to shorten it.
    assert.match(await ctx.answer('UADA', `assign ${at('UVERA')} qa payments for 1d`), /already holds \*QA\* in \*Payments\* until .*; nothing changed\. To end it sooner, revoke it and assign it again\.$/);

    // A day later, 2d more is an extension.
    ctx.clock.advance(DAY);
    const extended = await ctx.answer('UADA', cmd);
    assert.match(extended, /^:white_check_mark: Extended: <@UVERA> holds \*QA\* in \*Payments\* until <!date\^\d+\^[^>]*> \(it was until <!date\^\d+\^[^>]*>\)\.\nTheir roles: /);
    await ctx.settle();
    const dms = ctx.fake.dmsTo('UVERA');
    assert.equal(dms.length, 2);
    assert.match(textOf(dms[1] ?? { blocks: [] }), /\n\*Changed:\* QA \(Payments, until <!date[^>]*>\) — was until <!date[^>]*>\n\*Before:\*/);
    ctx.assertClean();
  });

  it('a role-change DM shows the new grant first, even among 31 long team grants; the roles that stayed are listed once, cut saying how many and where to see all', async () => {
    const ada = { userId: 'UADA' };
    for (let i = 1; i <= 31; i++) {
      const teamId = `t${String(i).padStart(2, '0')}`;
      await ctx.account.createTeam(ada, { teamId, name: `Team ${i} ${'of the long-named platform organisation units '.repeat(2)}`.slice(0, 80) });
      await ctx.account.assignRole(ada, { subject: { type: 'user', id: 'UVAL' }, roleId: 'release_manager', teamId });
    }
    await ctx.account.createTeam(ada, { teamId: 'zz-new', name: 'Zeta — the newest team, whose grant must show in the DM' });
    await ctx.settle();
    const before = ctx.fake.dmsTo('UVAL').length;
    await ctx.answer('UADA', `assign ${at('UVAL')} qa zz-new`);
    await ctx.settle();
    const dm = ctx.fake.dmsTo('UVAL')[before] ?? assert.fail('no DM');
    const text = textOf(dm);
    // Before and Now would repeat the same first roles, both cut: the 32 roles that stayed are listed once.
    assert.match(text, /^:busts_in_silhouette: Your Gatehouse roles changed \(by <@UADA>\)\.\n\*Added:\* QA \(Zeta — the newest team, whose grant must show in the DM\)\n\*Unchanged:\* Viewer \(General\), Release Manager \(Team 1 [^)]*\), [^\n]* … and (\d+) more\n_Lists cut to fit: `\/gatehouse whoami` or the Gatehouse App Home shows all your roles\._$/);
    const shown = /\*Unchanged:\* ([^\n]*) … and (\d+) more/.exec(text) ?? assert.fail('no list');
    assert.equal((shown[1]?.match(/\), /g)?.length ?? 0) + 1 + Number(shown[2]), 32, 'shown and left out add up to the 32 roles that stayed');
    ctx.assertClean();
  });

  it('limits say the limit in words: Slack names the field as people know it, REST says it in the message and the issue', async () => {
    assert.equal(await ctx.answer('UADA', `assign ${at('UVERA')} qa payments for 400d`), ':memo: That did not validate:\n• Duration: at most a year');
    const { id } = await card(ctx, '8.3.0', ['production']);
    const long = await rest(keyOf('USEC'), 'POST', `/versions/${id}/decisions`, { approvalType: 'security', decision: 'reject', reason: 'x'.repeat(1001) });
    assert.equal(long.status, 400);
    assert.deepEqual(ApiErrorSchema.parse(long.json).error, { code: 'validation_failed', message: 'reason: at most 1,000 characters', details: { issues: [{ path: 'reason', message: 'at most 1,000 characters' }] } });
    const grant = await rest(keyOf('UADA'), 'POST', '/grants', { subject: { type: 'user', id: 'UVERA' }, roleId: 'qa', teamId: 'payments', durationMs: 400 * DAY });
    assert.equal(ApiErrorSchema.parse(grant.json).error.message, 'durationMs: at most a year');
    const team = await rest(keyOf('UADA'), 'POST', '/teams', { name: 'n'.repeat(81) });
    assert.equal(ApiErrorSchema.parse(team.json).error.message, 'name: at most 80 characters');
    ctx.assertClean();
  });

  it('a service account (CI) is named in the card and its thread, never mentioned as a Slack user', async () => {
    const ci = keyOf('UCI');
    const created = await rest(ci, 'POST', '/versions', { productId: 'checkout', version: '9.1.0' });
    const versionId = String((created.json['version'] as { id: string }).id);
    await rest(ci, 'POST', `/versions/${versionId}/approval-requests`, { environmentId: 'staging' });
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[versionId]?.message, 'the card');
    await ctx.settle();
    const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`) ?? assert.fail('not posted');
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.settle();
    assert.equal((await rest(ci, 'POST', '/deployments', { versionId, environmentId: 'staging' })).status, 201);
    await ctx.settle();
    const all = [textOf(msg), ...ctx.fake.threadReplies(msg.channel, msg.ts).map((m) => m.text)].join('\n');
    assert.match(textOf(msg), /\*Created by\*\n\*CI pipeline \(service account\)\*/);
    assert.match(all, /:rocket: \*CI pipeline \(service account\)\* deployed to \*staging\*\./);
    assert.doesNotMatch(all, /<@UCI>/);
    assert.doesNotMatch(all, /service account\)\* \(service account\)/, 'said once');
    // Real Slack users stay mentions.
    assert.match(all, /approved by <@UQUINN>/);
    ctx.assertClean();
  });

  it('names show their id only when it adds something: not `*production* (production)` nor `*Payments* `payments``', async () => {
    const { msg } = await card(ctx, '8.4.0', ['production']);
    assert.match(textOf(msg), /:hourglass_flowing_sand: \*production\*: waiting for/);
    assert.doesNotMatch(textOf(msg), /\*production\* \(production\)/);
    await ctx.answer('UADA', 'environment create live production Live');
    await ctx.account.createRule({ userId: 'UADA' }, { environmentId: 'live', requirements: [{ type: 'qa', quorum: 1 }] });
    const live = await card(ctx, '8.5.0', ['live']);
    assert.match(textOf(live.msg), /\*Live\* \(production\): waiting for/, 'the production mark stays where the name does not say so');

    const envs = await ctx.answer('UADA', 'environments');
    assert.match(envs, /• \*production\* — production, for every product/);
    assert.match(envs, /• \*Live\* — production/);
    const teams = await ctx.answer('UADA', 'teams');
    assert.match(teams, /• \*Payments\* — /);
    assert.doesNotMatch(teams, /`payments`/);
    const products = await ctx.answer('UADA', 'products');
    assert.match(products, /• \*Checkout\* — team/);
    assert.match(products, /• \*Search API\* `search-api` — team/, 'an id that differs from the name stays');
    const roles = await ctx.answer('UADA', 'roles');
    assert.match(roles, /• \*QA\* — static/);
    assert.match(roles, /• \*Release Manager\* `release_manager` — static/);
    assert.match(await ctx.answer('UADA', 'groups'), /• \*On-call\* `oncall` — members/);
    assert.match(await ctx.answer('UADA', 'team create ops Ops'), /^:busts_in_silhouette: Created team \*Ops\*\. Next/);
    ctx.assertClean();
  });

  it('the single-Admin warning goes only to those who can act on it (an Admin), in whoami and after a role change', async () => {
    assert.match(await ctx.answer('UADA', `revoke ${at('UGRACE')} admin`), /:warning: Only one Admin is left in this account: make a second one\.$/);
    assert.match(await ctx.answer('UADA', 'whoami'), /:warning: This account has a single Admin/);
    // Russ manages team Search (a custom team role) but cannot make an Admin.
    await ctx.account.createRole({ userId: 'UADA' }, { roleId: 'search-people', name: 'Search people', permissions: ['user_role:manage', 'version:approve:qa'] });
    await ctx.account.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'URUSS' }, roleId: 'search-people', teamId: 'search' });
    const assigned = await ctx.answer('URUSS', `assign ${at('UVERA')} qa search`);
    assert.match(assigned, /^:white_check_mark: <@UVERA> now holds \*QA\* in \*Search\*\./);
    assert.doesNotMatch(assigned, /Admin/);
    assert.doesNotMatch(await ctx.answer('URUSS', 'whoami'), /single Admin/);
    // Group members too: Rita manages people (a custom global role) but cannot make an Admin.
    await peopleManager(ctx);
    await ctx.answer('UADA', 'group create helpers Helpers');
    const byRita = await ctx.answer('URITA', `group add helpers ${at('UVERA')}`);
    assert.match(byRita, /^:white_check_mark: Added <@UVERA> to group \*Helpers\*\./);
    assert.doesNotMatch(byRita, /Admin/);
    assert.match(await ctx.answer('UADA', `group add helpers ${at('UVIC')}`), /:warning: Only one Admin is left\.$/);
    ctx.assertClean();
  });
});

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { DenialFacts } from '@gatehouse/core';
import {
  EnvironmentListResponseSchema,
  EnvironmentResponseSchema,
  GrantListResponseSchema,
  GroupListResponseSchema,
  GroupMemberResponseSchema,
  GroupResponseSchema,
  ProductListResponseSchema,
  ProductResponseSchema,
  ReleaseDecisionResponseSchema,
  ReleaseListResponseSchema,
  ReleaseResponseSchema,
  RoleChangeResponseSchema,
  RoleDetailResponseSchema,
  RoleListResponseSchema,
  RoleResponseSchema,
  RuleListResponseSchema,
  RuleResponseSchema,
  SettingsResponseSchema,
  TeamListResponseSchema,
  TeamResponseSchema,
  UserChangeResponseSchema,
  UserDetailResponseSchema,
  UserListResponseSchema,
  UserResponseSchema,
  CreateVersionResponseSchema,
} from '@gatehouse/core/contract';
import { ADMIN_OPERATIONS } from '../src/rest/admin.js';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup } from './rest-harness.js';

/** Names that live on Object.prototype: as ids they must be unknown, never a prototype hit. */
const PROTOTYPE_IDS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];

type Res = Awaited<ReturnType<Ctx['call']>>;

/** The denial facts of a 403 (what was asked, what is missing). */
function denial(res: Res): DenialFacts {
  assert.equal(res.status, 403, JSON.stringify(res.json));
  assert.equal(errorCode(res.json), 'forbidden');
  return (res.json as { error: { details: DenialFacts } }).error.details;
}

function expectStatus(res: Res, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.json));
  if (code) assert.equal(errorCode(res.json), code);
}

describe('REST administration /api/v1', () => {
  let ctx: Ctx;
  const tokens = new Map<string, string>();
  /** A request as a demo persona, through a personal token (Ada's comes with the demo). */
  const as = (userId: string) => async (method: string, path: string, body?: unknown) => {
    let key = userId === 'UADA' ? ctx.key('UADA') : tokens.get(userId);
    if (!key) {
      key = (await ctx.gatehouse.createKey(ctx.account, { userId: 'UADA' }, { name: `test ${userId}`, kind: 'personal_token', ownerId: userId })).secret;
      tokens.set(userId, key);
    }
    return ctx.call(method, path, { key, ...(body === undefined ? {} : { body }) });
  };
  const ada = as('UADA');
  const vera = as('UVERA'); // Viewer (the default role, in the default team)
  const dev = as('UDEV'); // Developer in payments
  const russ = as('URUSS'); // Release Manager in search
  const steve = as('USTEVE'); // SRE in payments

  /** Every id named like a prototype member is a 404 for this request. */
  async function prototypeIdsAre404(method: string, path: (id: string) => string, body?: unknown): Promise<void> {
    for (const id of PROTOTYPE_IDS) expectStatus(await ada(method, path(id), body), 404, 'not_found');
  }

  beforeEach(async () => {
    tokens.clear();
    ctx = await setup();
  });
  afterEach(() => ctx.close());

  it('teams: create, list, rename; refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/teams', { teamId: 'mobile', name: 'Mobile' });
    expectStatus(created, 201);
    assert.equal(TeamResponseSchema.parse(created.json).team.name, 'Mobile');
    const list = TeamListResponseSchema.parse((await vera('GET', '/teams')).json);
    assert.deepEqual(list.items.map((t) => t.id).sort(), ['general', 'mobile', 'payments', 'search']);
    const renamed = await ada('PATCH', '/teams/mobile', { name: 'Mobile apps' });
    expectStatus(renamed, 200);
    assert.equal(TeamResponseSchema.parse(renamed.json).team.name, 'Mobile apps');
    assert.equal(ctx.account.view.teams['mobile']?.name, 'Mobile apps');

    const refused = denial(await vera('POST', '/teams', { name: 'Rogue' }));
    assert.equal(refused.userId, 'UVERA');
    assert.equal(refused.permission, 'team:manage');
    assert.equal(refused.teamId, null);
    assert.equal(refused.cause, 'missing_permission');
    assert.ok(refused.grantingRoles.includes('admin'));
    denial(await dev('PATCH', '/teams/payments', { name: 'Mine' }));

    expectStatus(await ada('POST', '/teams', { name: '' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/teams', { teamId: 'has space', name: 'X' }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', '/teams/mobile', { nmae: 'typo' }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', '/teams/mobile', {}), 400, 'validation_failed');
    expectStatus(await ada('POST', '/teams', { teamId: 'mobile', name: 'Again' }), 409, 'conflict');
    await prototypeIdsAre404('PATCH', (id) => `/teams/${id}`, { name: 'X' });
    // The Admin of an account this server does not serve (TOTHER, in the same store) is refused at the door.
    const foreign = await ctx.call('PATCH', '/teams/mobile', { key: ctx.key('UADA', ctx.other), body: { name: 'X' } });
    expectStatus(foreign, 401, 'invalid_key');
    assert.equal(ctx.account.view.teams['mobile']?.name, 'Mobile apps');
  });

  it('products: create, list what I may view, update and move; refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/products', { productId: 'wallet', name: 'Wallet', teamId: 'payments', channel: '#wallet' });
    expectStatus(created, 201);
    assert.deepEqual({ ...ProductResponseSchema.parse(created.json).product, createdAt: 0 }, { id: 'wallet', name: 'Wallet', teamId: 'payments', channel: '#wallet', createdAt: 0 });
    const mine = ProductListResponseSchema.parse((await dev('GET', '/products')).json);
    assert.deepEqual(mine.items.map((p) => p.id).sort(), ['checkout', 'wallet'], 'a payments developer sees payments products only');
    const all = ProductListResponseSchema.parse((await ada('GET', '/products')).json);
    assert.deepEqual(all.items.map((p) => p.id).sort(), ['checkout', 'search-api', 'wallet']);
    const moved = await ada('PATCH', '/products/wallet', { name: 'Wallet 2', teamId: 'search', channel: null });
    expectStatus(moved, 200);
    assert.deepEqual(
      (({ name, teamId, channel }) => ({ name, teamId, channel }))(ProductResponseSchema.parse(moved.json).product),
      { name: 'Wallet 2', teamId: 'search', channel: null },
    );

    const refused = denial(await russ('PATCH', '/products/checkout', { name: 'Hijack' }));
    assert.deepEqual([refused.permission, refused.teamId], ['product:edit', 'payments'], 'a search release manager may not edit a payments product');
    assert.ok(refused.grantingRoles.includes('release_manager'));
    expectStatus(await russ('PATCH', '/products/wallet', { name: 'Search wallet' }), 200);
    denial(await vera('POST', '/products', { name: 'X', teamId: 'payments' }));

    expectStatus(await ada('POST', '/products', { name: 'No team' }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', '/products/wallet', { team: 'payments' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/products', { name: 'X', teamId: 'constructor' }), 404, 'not_found');
    await prototypeIdsAre404('PATCH', (id) => `/products/${id}`, { name: 'X' });
  });

  it('environments: create (with a channel), list, update; team-scoped refusals, bad bodies, unknown ids', async () => {
    const created = await steve('POST', '/environments', { environmentId: 'checkout-canary', name: 'canary', productId: 'checkout', channel: '#canary' });
    expectStatus(created, 201);
    const env = EnvironmentResponseSchema.parse(created.json).environment;
    assert.deepEqual([env.productId, env.production, env.channel], ['checkout', false, '#canary']);
    expectStatus(await ada('POST', '/environments', { environmentId: 'search-canary', name: 'canary', productId: 'search-api' }), 201);
    const seen = EnvironmentListResponseSchema.parse((await dev('GET', '/environments')).json).items.map((e) => e.id);
    assert.deepEqual(seen.sort(), ['checkout-canary', 'dev', 'production', 'staging'], 'account-wide ones and my team’s, not search’s');
    assert.equal(EnvironmentListResponseSchema.parse((await ada('GET', '/environments')).json).items.find((e) => e.id === 'dev')?.channel, null);
    const updated = await steve('PATCH', '/environments/checkout-canary', { production: true, channel: null });
    expectStatus(updated, 200);
    assert.deepEqual((({ production, channel }) => ({ production, channel }))(EnvironmentResponseSchema.parse(updated.json).environment), { production: true, channel: null });

    const refused = denial(await steve('POST', '/environments', { name: 'x', productId: 'search-api' }));
    assert.deepEqual([refused.permission, refused.teamId], ['environment:create', 'search']);
    assert.equal(denial(await steve('POST', '/environments', { name: 'everywhere' })).teamId, null, 'account-wide needs it globally');
    denial(await dev('PATCH', '/environments/checkout-canary', { name: 'mine' }));

    expectStatus(await ada('POST', '/environments', { name: 5 }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', '/environments/dev', { production: 'yes' }), 400, 'validation_failed');
    await prototypeIdsAre404('PATCH', (id) => `/environments/${id}`, { name: 'X' });
    expectStatus(await ada('POST', '/environments', { name: 'x', productId: 'toString' }), 404, 'not_found');
  });

  it('deployment rules: create, list, update, delete; refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/rules', { environmentId: 'staging', productId: 'checkout', requirements: [{ type: 'security', quorum: 2 }] });
    expectStatus(created, 201);
    const rule = RuleResponseSchema.parse(created.json).rule;
    assert.deepEqual([rule.requirements, rule.separationOfDuties, rule.requireReleaseApproval], [[{ type: 'security', quorum: 2 }], true, false]);
    assert.ok(RuleListResponseSchema.parse((await dev('GET', '/rules')).json).items.some((r) => r.id === rule.id));
    const updated = await ada('PATCH', `/rules/${rule.id}`, { requireReleaseApproval: true, requirements: [{ type: 'qa', quorum: 1 }] });
    expectStatus(updated, 200);
    assert.equal(RuleResponseSchema.parse(updated.json).rule.requireReleaseApproval, true);
    assert.deepEqual(ctx.account.view.rules[rule.id]?.requirements, [{ type: 'qa', quorum: 1 }]);

    const refused = denial(await vera('POST', '/rules', { environmentId: 'staging', productId: 'checkout' }));
    assert.deepEqual([refused.permission, refused.teamId], ['deployment_rule:manage', 'payments']);
    assert.equal(denial(await steve('DELETE', `/rules/${rule.id}`)).permission, 'deployment_rule:delete', 'an SRE manages rules but does not delete them');

    expectStatus(await ada('POST', '/rules', { environmentId: 'staging', requirements: [{ type: 'qa', quorum: 0 }] }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/rules', { environmentId: 'staging', requirements: [{ type: 'qa', quorum: 1 }, { type: 'qa', quorum: 2 }] }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', `/rules/${rule.id}`, { requirements: 'qa' }), 400, 'validation_failed');
    await prototypeIdsAre404('PATCH', (id) => `/rules/${id}`, { requireReleaseApproval: true });
    await prototypeIdsAre404('DELETE', (id) => `/rules/${id}`);
    expectStatus(await ada('POST', '/rules', { environmentId: 'constructor' }), 404, 'not_found');

    expectStatus(await ada('DELETE', `/rules/${rule.id}`), 204);
    assert.equal(RuleListResponseSchema.parse((await ada('GET', '/rules')).json).items.some((r) => r.id === rule.id), false);
  });

  it('releases: create, add a version, lock/unlock/archive/restore, decide, list, delete; refusals, bad bodies, unknown ids', async () => {
    expectStatus(await dev('POST', '/releases', { releaseId: 'march', productId: 'checkout', name: 'March' }), 201);
    const v = CreateVersionResponseSchema.parse((await dev('POST', '/versions', { productId: 'checkout', version: '7.0.0' })).json).version;
    const added = await dev('POST', '/releases/march/versions', { versionId: v.id });
    expectStatus(added, 200);
    assert.deepEqual(ReleaseResponseSchema.parse(added.json).release.versionIds, [v.id]);

    const locked = ReleaseResponseSchema.parse((await ada('POST', '/releases/march/lock')).json).release;
    assert.equal(locked.locked, true);
    const v2 = CreateVersionResponseSchema.parse((await dev('POST', '/versions', { productId: 'checkout', version: '7.0.1' })).json).version;
    expectStatus(await dev('POST', '/releases/march/versions', { versionId: v2.id }), 409, 'release_locked');
    expectStatus(await ada('DELETE', '/releases/march'), 409, 'release_locked');
    assert.equal(ReleaseResponseSchema.parse((await ada('POST', '/releases/march/unlock')).json).release.locked, false);
    assert.equal(ReleaseResponseSchema.parse((await ada('POST', '/releases/march/archive')).json).release.archived, true);
    expectStatus(await ada('POST', '/releases/march/decisions', { decision: 'approve' }), 409, 'release_archived');
    assert.equal(ReleaseResponseSchema.parse((await ada('POST', '/releases/march/restore')).json).release.archived, false);

    const approved = ReleaseDecisionResponseSchema.parse((await ada('POST', '/releases/march/decisions', { decision: 'approve' })).json);
    assert.equal(approved.changed, true);
    assert.deepEqual(approved.release.decisions.map((d) => [d.approverId, d.decision]), [['UADA', 'approve']]);
    assert.equal(ReleaseDecisionResponseSchema.parse((await ada('POST', '/releases/march/decisions', { decision: 'approve' })).json).changed, false, 'a retry records nothing');
    expectStatus(await ada('POST', '/releases/march/decisions', { decision: 'reject' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/releases/march/decisions', { decision: 'maybe' }), 400, 'validation_failed');

    const listed = ReleaseListResponseSchema.parse((await dev('GET', '/releases?productId=checkout')).json);
    assert.deepEqual(listed.items.map((r) => [r.id, r.versionIds]), [['march', [v.id]]]);
    assert.equal(ReleaseListResponseSchema.parse((await russ('GET', '/releases')).json).items.length, 0, 'search sees no payments releases');
    const hidden = denial(await russ('GET', '/releases?productId=checkout'));
    assert.deepEqual([hidden.permission, hidden.teamId], ['release:view', 'payments']);
    expectStatus(await ada('GET', '/releases?product=checkout'), 400, 'validation_failed');
    expectStatus(await ada('GET', '/releases?productId=constructor'), 404, 'not_found');

    const refused = denial(await dev('POST', '/releases/march/lock'));
    assert.deepEqual([refused.permission, refused.teamId], ['release:lock', 'payments']);
    assert.ok(refused.grantingRoles.includes('release_manager'));
    denial(await dev('DELETE', '/releases/march'));
    denial(await vera('POST', '/releases', { productId: 'checkout', name: 'X' }));
    expectStatus(await ada('POST', '/releases', { productId: 'checkout' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/releases/march/versions', {}), 400, 'validation_failed');
    for (const action of ['lock', 'unlock', 'archive', 'restore']) await prototypeIdsAre404('POST', (id) => `/releases/${id}/${action}`);
    await prototypeIdsAre404('POST', (id) => `/releases/${id}/versions`, { versionId: v2.id });
    await prototypeIdsAre404('POST', (id) => `/releases/${id}/decisions`, { decision: 'approve' });
    await prototypeIdsAre404('DELETE', (id) => `/releases/${id}`);
    expectStatus(await ada('POST', '/releases/march/versions', { versionId: 'constructor' }), 404, 'not_found');

    expectStatus(await ada('DELETE', '/releases/march'), 204);
    assert.equal(ReleaseListResponseSchema.parse((await ada('GET', '/releases')).json).items.some((r) => r.id === 'march'), false);
  });

  it('an action without a body needs neither a body nor a Content-Type (curl -X POST)', async () => {
    expectStatus(await ada('POST', '/releases', { releaseId: 'april', productId: 'checkout', name: 'April' }), 201);
    // Raw HTTP: Node's client would add "Content-Length: 0"; curl -X POST sends no length at all.
    const { hostname, port } = new URL(ctx.server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.end(`POST /api/v1/releases/april/lock HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${ctx.key('UADA')}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.equal(ctx.account.view.releases['april']?.locked, true);
  });

  it('roles: create, list, get with holders, update, delete (refused while granted); refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/roles', { roleId: 'deployer', name: 'Deployer', description: 'Deploys', permissions: ['deployment:create'] });
    expectStatus(created, 201);
    assert.deepEqual((({ id, scope, kind, permissions }) => ({ id, scope, kind, permissions }))(RoleResponseSchema.parse(created.json).role), {
      id: 'deployer',
      scope: 'team',
      kind: 'custom',
      permissions: ['deployment:create'],
    });
    const list = RoleListResponseSchema.parse((await vera('GET', '/roles')).json);
    assert.deepEqual(list.items.slice(0, 2).map((r) => r.id), ['admin', 'release_manager'], 'static roles first');
    assert.ok(list.items.some((r) => r.id === 'deployer'));
    const updated = await ada('PATCH', '/roles/deployer', { name: 'Deployers', permissions: ['deployment:create', 'version:create'] });
    expectStatus(updated, 200);
    assert.deepEqual(RoleResponseSchema.parse(updated.json).role.permissions, ['deployment:create', 'version:create']);

    const grant = RoleChangeResponseSchema.parse((await ada('POST', '/grants', { subject: { type: 'user', id: 'UVERA' }, roleId: 'deployer', teamId: 'payments' })).json).grant;
    const detail = RoleDetailResponseSchema.parse((await vera('GET', '/roles/deployer')).json);
    assert.equal(detail.role.name, 'Deployers');
    assert.deepEqual(detail.holders, [{ userId: 'UVERA', teamId: 'payments', via: null, expiresAt: null }]);
    const inUse = await ada('DELETE', '/roles/deployer');
    expectStatus(inUse, 409, 'role_in_use');
    assert.deepEqual((inUse.json as { error: { details: { holders: unknown } } }).error.details.holders, [{ subject: { type: 'user', id: 'UVERA' }, teamId: 'payments' }]);
    expectStatus(await ada('DELETE', `/grants/${grant?.id ?? '?'}`), 200);
    expectStatus(await ada('DELETE', '/roles/deployer'), 204);
    expectStatus(await vera('GET', '/roles/deployer'), 404, 'not_found');

    const refused = denial(await vera('POST', '/roles', { name: 'Mine', permissions: ['version:create'] }));
    assert.deepEqual([refused.permission, refused.teamId], ['role:manage', null]);
    denial(await russ('PATCH', '/roles/qa', { name: 'Q' }));
    expectStatus(await ada('PATCH', '/roles/admin', { name: 'Boss' }), 409, 'static_role_immutable');
    expectStatus(await ada('DELETE', '/roles/viewer'), 409, 'static_role_immutable');

    const unknown = await ada('POST', '/roles', { name: 'Bad', permissions: ['nope:do'] });
    expectStatus(unknown, 400, 'validation_failed');
    assert.match((unknown.json as { error: { message: string } }).error.message, /unknown permission 'nope:do'/);
    expectStatus(await ada('POST', '/roles', { name: 'Empty', permissions: [] }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/roles', { name: 'Kind', permissions: ['version:create'], kind: 'static' }), 400, 'validation_failed');
    await prototypeIdsAre404('GET', (id) => `/roles/${id}`);
    await prototypeIdsAre404('PATCH', (id) => `/roles/${id}`, { name: 'X' });
    await prototypeIdsAre404('DELETE', (id) => `/roles/${id}`);
  });

  it('grants: grant (time-bound), list by user/group/role, revoke with the single-Admin warning; refusals, bad bodies, unknown ids', async () => {
    const body = { subject: { type: 'user', id: 'UVIC' }, roleId: 'qa', teamId: 'search', durationMs: 3_600_000 };
    const created = await ada('POST', '/grants', body);
    expectStatus(created, 201);
    const out = RoleChangeResponseSchema.parse(created.json);
    assert.equal(out.changed, true);
    assert.equal(out.grant?.expiresAt, ctx.clock.now() + 3_600_000);
    const again = await ada('POST', '/grants', body);
    expectStatus(again, 200);
    assert.equal(RoleChangeResponseSchema.parse(again.json).changed, false);

    const byUser = GrantListResponseSchema.parse((await vera('GET', '/grants?userId=UVIC')).json);
    assert.deepEqual(byUser.items.map((g) => [g.roleId, g.teamId]).sort(), [['qa', 'search'], ['viewer', 'general']]);
    assert.deepEqual(GrantListResponseSchema.parse((await ada('GET', '/grants?userId=UVIC&roleId=qa')).json).items.map((g) => g.id), [out.grant?.id]);
    assert.deepEqual(GrantListResponseSchema.parse((await ada('GET', '/grants?groupId=oncall')).json).items.map((g) => g.roleId), ['sre']);
    expectStatus(await ada('GET', '/grants?user=UVIC'), 400, 'validation_failed');

    const revoked = await ada('DELETE', `/grants/${out.grant?.id ?? '?'}`);
    expectStatus(revoked, 200);
    assert.deepEqual((({ changed, warnings }) => ({ changed, warnings }))(RoleChangeResponseSchema.parse(revoked.json)), { changed: true, warnings: [] });
    assert.equal(ctx.account.can('UVIC', 'version:approve:qa', 'search'), false);

    const grace = GrantListResponseSchema.parse((await ada('GET', '/grants?userId=UGRACE&roleId=admin')).json).items[0];
    const lastButOne = RoleChangeResponseSchema.parse((await ada('DELETE', `/grants/${grace?.id ?? '?'}`)).json);
    assert.deepEqual(lastButOne.warnings, ['single_admin']);
    const ownAdmin = GrantListResponseSchema.parse((await ada('GET', '/grants?userId=UADA&roleId=admin')).json).items[0];
    expectStatus(await ada('DELETE', `/grants/${ownAdmin?.id ?? '?'}`), 403, 'self_change');

    const refused = denial(await steve('POST', '/grants', { subject: { type: 'user', id: 'UVIC' }, roleId: 'qa', teamId: 'payments' }));
    assert.deepEqual([refused.permission, refused.teamId], ['user_role:manage', 'payments']);
    assert.equal(denial(await vera('DELETE', `/grants/${ownAdmin?.id ?? '?'}`)).permission, 'user_role:manage');

    expectStatus(await ada('POST', '/grants', { ...body, expiresAt: ctx.clock.now() + 10_000_000 }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/grants', { subject: { type: 'robot', id: 'UVIC' }, roleId: 'qa' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/grants', { subject: { type: 'user', id: 'UVIC' } }), 400, 'validation_failed');
    await prototypeIdsAre404('DELETE', (id) => `/grants/${id}`);
    expectStatus(await ada('POST', '/grants', { subject: { type: 'user', id: 'constructor' }, roleId: 'qa' }), 404, 'not_found');
    expectStatus(await ada('POST', '/grants', { subject: { type: 'user', id: 'UVIC' }, roleId: 'toString' }), 404, 'not_found');
  });

  it('groups: create, add and remove members, list, delete; refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/groups', { groupId: 'releasers', name: 'Releasers', members: ['UVERA'] });
    expectStatus(created, 201);
    assert.deepEqual(GroupResponseSchema.parse(created.json).group.members, ['UVERA']);
    const added = GroupMemberResponseSchema.parse((await ada('POST', '/groups/releasers/members', { userId: 'UVIC' })).json);
    assert.deepEqual([added.changed, added.group.members], [true, ['UVERA', 'UVIC']]);
    assert.equal(GroupMemberResponseSchema.parse((await ada('POST', '/groups/releasers/members', { userId: 'UVIC' })).json).changed, false);
    const listed = GroupListResponseSchema.parse((await vera('GET', '/groups')).json);
    assert.deepEqual(listed.items.find((g) => g.id === 'releasers')?.members, ['UVERA', 'UVIC']);
    const removed = await ada('DELETE', '/groups/releasers/members/UVIC');
    expectStatus(removed, 200);
    assert.deepEqual(GroupMemberResponseSchema.parse(removed.json).group.members, ['UVERA']);

    assert.equal(denial(await vera('POST', '/groups', { name: 'Mine' })).permission, 'user_role:manage');
    denial(await vera('POST', '/groups/oncall/members', { userId: 'UVERA' }));
    denial(await dev('DELETE', '/groups/oncall/members/UDANA'));
    denial(await vera('DELETE', '/groups/oncall/members/UVERA'));
    denial(await vera('DELETE', '/groups/releasers'));

    expectStatus(await ada('POST', '/groups', {}), 400, 'validation_failed');
    expectStatus(await ada('POST', '/groups', { name: 'X', members: 'UVIC' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/groups/releasers/members', { user: 'UVIC' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/groups', { name: 'X', members: ['constructor'] }), 404, 'not_found');
    await prototypeIdsAre404('POST', (id) => `/groups/${id}/members`, { userId: 'UVIC' });
    for (const id of PROTOTYPE_IDS) expectStatus(await ada('POST', '/groups/releasers/members', { userId: id }), 404, 'not_found');
    await prototypeIdsAre404('DELETE', (id) => `/groups/${id}/members/UVERA`);
    await prototypeIdsAre404('DELETE', (id) => `/groups/releasers/members/${id}`);
    await prototypeIdsAre404('DELETE', (id) => `/groups/${id}`);

    expectStatus(await ada('DELETE', '/groups/releasers'), 204);
    assert.equal(GroupListResponseSchema.parse((await ada('GET', '/groups')).json).items.some((g) => g.id === 'releasers'), false);
  });

  it('users: add a service account, list, get roles and permissions, deactivate and reactivate; refusals, bad bodies, unknown ids', async () => {
    const created = await ada('POST', '/users', { userId: 'UBOT', name: 'Deploy bot', serviceAccount: true });
    expectStatus(created, 201);
    assert.deepEqual((({ id, serviceAccount, active }) => ({ id, serviceAccount, active }))(UserResponseSchema.parse(created.json).user), { id: 'UBOT', serviceAccount: true, active: true });
    const refreshed = await ada('POST', '/users', { userId: 'UBOT', name: 'Deploy bot 2', email: 'bot@example.com' });
    expectStatus(refreshed, 200);
    assert.equal(UserResponseSchema.parse(refreshed.json).user.name, 'Deploy bot 2');
    assert.ok(UserListResponseSchema.parse((await vera('GET', '/users')).json).items.some((u) => u.id === 'UBOT'));

    const bot = UserDetailResponseSchema.parse((await vera('GET', '/users/UBOT')).json);
    assert.equal(bot.primaryRole, 'Viewer');
    assert.deepEqual(bot.scopes.map((s) => [s.teamId, s.roles.map((r) => r.roleId)]), [[null, []], ['general', ['viewer']]]);
    const udev = UserDetailResponseSchema.parse((await vera('GET', '/users/UDEV')).json);
    assert.ok(udev.scopes.find((s) => s.teamId === 'payments')?.permissions.includes('version:create'));

    const off = UserChangeResponseSchema.parse((await ada('POST', '/users/UBOT/deactivate')).json);
    assert.deepEqual([off.changed, off.user.active], [true, false]);
    assert.equal(UserChangeResponseSchema.parse((await ada('POST', '/users/UBOT/deactivate')).json).changed, false);
    assert.equal(UserResponseSchema.parse((await ada('POST', '/users/UBOT/reactivate')).json).user.active, true);
    expectStatus(await ada('POST', '/users/UADA/deactivate'), 403, 'self_change');

    assert.equal(denial(await vera('POST', '/users', { userId: 'UNEW' })).permission, 'user_role:manage');
    denial(await dev('POST', '/users/UBOT/deactivate'));
    denial(await dev('POST', '/users/UBOT/reactivate'));

    expectStatus(await ada('POST', '/users', { userId: 'system' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/users', { userId: 'has space' }), 400, 'validation_failed');
    expectStatus(await ada('POST', '/users', { userId: 'UX', serviceAccount: 'yes' }), 400, 'validation_failed');
    await prototypeIdsAre404('GET', (id) => `/users/${id}`);
    await prototypeIdsAre404('POST', (id) => `/users/${id}/deactivate`);
    await prototypeIdsAre404('POST', (id) => `/users/${id}/reactivate`);
  });

  it('settings: read, update; refusals, bad bodies, unknown ids', async () => {
    const before = SettingsResponseSchema.parse((await vera('GET', '/settings')).json).settings;
    assert.deepEqual([before.defaultRoleId, before.defaultTeamId, before.defaultChannel], ['viewer', 'general', null]);
    const updated = await ada('PATCH', '/settings', { defaultChannel: '#approvals', defaultTeamId: 'payments', maxAccessDurationMs: 86_400_000 });
    expectStatus(updated, 200);
    assert.deepEqual(SettingsResponseSchema.parse(updated.json).settings, { ...before, defaultChannel: '#approvals', defaultTeamId: 'payments', maxAccessDurationMs: 86_400_000 });
    assert.equal(SettingsResponseSchema.parse((await vera('GET', '/settings')).json).settings.defaultChannel, '#approvals');

    const refused = denial(await vera('PATCH', '/settings', { defaultChannel: '#mine' }));
    assert.deepEqual([refused.permission, refused.teamId], ['user_role:manage', null]);
    expectStatus(await ada('PATCH', '/settings', { defaultRoleId: 'admin' }), 403, 'escalation');

    expectStatus(await ada('PATCH', '/settings', { maxAccessDurationMs: 5 }), 400, 'validation_failed');
    expectStatus(await ada('PATCH', '/settings', { defaultChanel: '#typo' }), 400, 'validation_failed');
    for (const id of PROTOTYPE_IDS) {
      expectStatus(await ada('PATCH', '/settings', { defaultTeamId: id }), 404, 'not_found');
      expectStatus(await ada('PATCH', '/settings', { defaultRoleId: id }), 404, 'not_found');
    }
  });

  it('the OpenAPI document lists every administration endpoint with its schemas, and each is routed', async () => {
    const doc = (await ctx.call('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, { content?: unknown }> }>>;
    };
    const expected = [
      'get /teams', 'post /teams', 'patch /teams/{id}',
      'get /products', 'post /products', 'patch /products/{id}',
      'get /environments', 'post /environments', 'patch /environments/{id}',
      'get /rules', 'post /rules', 'patch /rules/{id}', 'delete /rules/{id}',
      'get /releases', 'post /releases', 'post /releases/{id}/versions', 'post /releases/{id}/lock', 'post /releases/{id}/unlock',
      'post /releases/{id}/archive', 'post /releases/{id}/restore', 'post /releases/{id}/decisions', 'delete /releases/{id}',
      'get /roles', 'get /roles/{id}', 'post /roles', 'patch /roles/{id}', 'delete /roles/{id}',
      'get /grants', 'post /grants', 'delete /grants/{id}',
      'get /groups', 'post /groups', 'post /groups/{id}/members', 'delete /groups/{id}/members/{userId}', 'delete /groups/{id}',
      'get /users', 'get /users/{id}', 'post /users', 'post /users/{id}/deactivate', 'post /users/{id}/reactivate',
      'get /settings', 'patch /settings',
    ];
    assert.deepEqual(ADMIN_OPERATIONS.map((op) => `${op.method} ${op.path}`).sort(), [...expected].sort());
    for (const route of expected) {
      const [method = '', path = ''] = route.split(' ');
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${route} is documented`);
      const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(params, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]), `${route}: path parameters`);
      const hasBody = (method === 'post' || method === 'patch') && !/\/(lock|unlock|archive|restore|deactivate|reactivate)$/.test(path);
      assert.equal(!!op.requestBody, hasBody, `${route}: request body`);
      const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
      assert.ok(ok, `${route}: a success response`);
      assert.equal(!!ok[1].content, ok[0] !== '204', `${route}: response schema`);
    }
    assert.ok(doc.paths['/grants']?.['get']?.parameters?.some((p) => p.in === 'query' && p.name === 'roleId'));
    // Each documented operation reaches its handler: never the router's "no such endpoint".
    for (const op of ADMIN_OPERATIONS) {
      const res = await ada(op.method.toUpperCase(), op.path.replace(/\{\w+\}/g, 'constructor'), op.body ? {} : undefined);
      assert.doesNotMatch(JSON.stringify(res.json), /no such endpoint/, `${op.method} ${op.path} is routed`);
    }
  });

  it('an existing endpoint looks version ids up as own properties too', async () => {
    for (const id of PROTOTYPE_IDS) {
      const res = await ada('GET', `/versions/${id}`);
      expectStatus(res, 404, 'not_found');
      assert.deepEqual((res.json as { error: { details: unknown } }).error.details, { entity: 'version', id });
    }
  });

  it('a request without a key says how to get one, in Slack or on the server', async () => {
    const res = await ctx.call('GET', '/teams');
    expectStatus(res, 401, 'unauthenticated');
    const { message } = (res.json as { error: { message: string } }).error;
    assert.match(message, /\/gatehouse keys create/);
    assert.match(message, /npm run gatehouse -- key --user <id> --name <name>/);
  });
});

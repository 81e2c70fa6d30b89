import type { Account, DeploymentRule, Environment, Release, RoleDefinition } from '@gatehouse/core';
import { NotFoundError } from '@gatehouse/core';
import type { EnvironmentDto, ReleaseDto, RoleDto } from '@gatehouse/core/contract';
import * as c from '@gatehouse/core/contract';
import { found, visible } from './lookup.js';
import { meOf } from './me.js';
import type { Operation } from './operation.js';
import { operation } from './operation.js';

/**
 * The administration endpoints: everything a Slack admin can do, scriptable. Each one validates
 * its body with the contract and calls one core command; the core decides who may (and raises a
 * typed error the router maps to a status). Lists show what the caller may view (`visible`).
 */

const productTeam = (a: Account, productId: string) => found(a.view.products, 'product', productId).teamId;
const environmentTeam = (a: Account, e: Environment) => (e.productId === null ? null : productTeam(a, e.productId));
const ruleTeam = (a: Account, r: DeploymentRule) => (r.productId !== null ? productTeam(a, r.productId) : environmentTeam(a, found(a.view.environments, 'environment', r.environmentId)));

const environmentDto = (e: Environment): EnvironmentDto => ({ ...e, channel: e.channel ?? null });
const roleDto = (r: RoleDefinition): RoleDto => ({ id: r.id, name: r.name, description: r.description, scope: r.scope, kind: r.kind, permissions: [...r.permissions] });

/** A release with the ids of its versions (the index is built once per request). */
function withVersions(a: Account): (r: Release) => ReleaseDto {
  const ids = new Map<string, string[]>();
  for (const v of Object.values(a.view.versions)) if (v.releaseId !== null) ids.set(v.releaseId, [...(ids.get(v.releaseId) ?? []), v.id]);
  return (r) => ({ ...r, versionIds: ids.get(r.id) ?? [] });
}
const releaseOf = (a: Account, id: string) => ({ release: withVersions(a)(found(a.view.releases, 'release', id)) });

/** The release flags, each one core command under one permission. */
const RELEASE_FLAGS = {
  lock: ['lockRelease', 'Lock a release: its versions can no longer change (release:lock)'],
  unlock: ['unlockRelease', 'Unlock a release (release:lock)'],
  archive: ['archiveRelease', 'Archive a release (release:archive)'],
  restore: ['restoreRelease', 'Restore an archived release (release:archive)'],
} as const;

const TEAMS: Operation[] = [
  operation({ method: 'get', path: '/teams', summary: 'Teams', response: c.TeamListResponseSchema, handle: ({ account }) => ({ items: Object.values(account.view.teams) }) }),
  operation({
    method: 'post',
    path: '/teams',
    summary: 'Create a team (team:manage)',
    body: c.CreateTeamRequestSchema,
    response: c.TeamResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ team: found(account.view.teams, 'team', (await account.createTeam(actor, body)).teamId) }),
  }),
  operation({
    method: 'patch',
    path: '/teams/{id}',
    summary: 'Rename a team (team:manage)',
    body: c.UpdateTeamRequestSchema,
    response: c.TeamResponseSchema,
    handle: async ({ account, actor, body, params }) => ({ team: await account.renameTeam(actor, { ...body, teamId: params.id }) }),
  }),
];

const PRODUCTS: Operation[] = [
  operation({
    method: 'get',
    path: '/products',
    summary: 'Products whose team I may view',
    response: c.ProductListResponseSchema,
    handle: ({ account, actor }) => ({ items: Object.values(account.view.products).filter((p) => visible(account, actor, 'product:view', p.teamId)) }),
  }),
  operation({
    method: 'post',
    path: '/products',
    summary: 'Create a product in a team (product:create there)',
    body: c.CreateProductRequestSchema,
    response: c.ProductResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ product: await account.createProduct(actor, body) }),
  }),
  operation({
    method: 'patch',
    path: '/products/{id}',
    summary: 'Rename a product, set its channel or move it to another team (product:edit in both)',
    body: c.UpdateProductRequestSchema,
    response: c.ProductResponseSchema,
    handle: async ({ account, actor, body, params }) => ({ product: await account.updateProduct(actor, { ...body, productId: params.id }) }),
  }),
];

const ENVIRONMENTS: Operation[] = [
  operation({
    method: 'get',
    path: '/environments',
    summary: 'Environments I may view (account-wide ones and those of my teams’ products)',
    response: c.EnvironmentListResponseSchema,
    handle: ({ account, actor }) => ({
      items: Object.values(account.view.environments)
        .filter((e) => visible(account, actor, 'environment:view', environmentTeam(account, e)))
        .map(environmentDto),
    }),
  }),
  operation({
    method: 'post',
    path: '/environments',
    summary: 'Create an environment, account-wide or for one product (environment:create)',
    body: c.CreateEnvironmentRequestSchema,
    response: c.EnvironmentResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ environment: environmentDto(await account.createEnvironment(actor, body)) }),
  }),
  operation({
    method: 'patch',
    path: '/environments/{id}',
    summary: 'Rename an environment, flag it production, set its approvals channel (environment:edit)',
    body: c.UpdateEnvironmentRequestSchema,
    response: c.EnvironmentResponseSchema,
    handle: async ({ account, actor, body, params }) => ({ environment: environmentDto(await account.updateEnvironment(actor, { ...body, environmentId: params.id })) }),
  }),
];

const RULES: Operation[] = [
  operation({
    method: 'get',
    path: '/rules',
    summary: 'Deployment rules I may view',
    response: c.RuleListResponseSchema,
    handle: ({ account, actor }) => ({ items: Object.values(account.view.rules).filter((r) => visible(account, actor, 'deployment_rule:view', ruleTeam(account, r))) }),
  }),
  operation({
    method: 'post',
    path: '/rules',
    summary: 'Create a deployment rule for an environment, optionally one product (deployment_rule:manage)',
    body: c.CreateRuleRequestSchema,
    response: c.RuleResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ rule: await account.createRule(actor, body) }),
  }),
  operation({
    method: 'patch',
    path: '/rules/{id}',
    summary: 'Change a rule’s required approvals, release approval or separation of duties (deployment_rule:manage)',
    body: c.UpdateRuleRequestSchema,
    response: c.RuleResponseSchema,
    handle: async ({ account, actor, body, params }) => ({ rule: await account.updateRule(actor, { ...body, ruleId: params.id }) }),
  }),
  operation({
    method: 'delete',
    path: '/rules/{id}',
    summary: 'Delete a deployment rule (deployment_rule:delete)',
    status: 204,
    handle: ({ account, actor, params }) => account.deleteRule(actor, { ruleId: params.id }),
  }),
];

const RELEASES: Operation[] = [
  operation({
    method: 'get',
    path: '/releases',
    summary: 'Releases I may view, optionally of one product',
    query: c.ReleaseListQuerySchema,
    response: c.ReleaseListResponseSchema,
    handle: ({ account, actor, query }) => {
      if (query.productId !== undefined) account.assertCan(actor, 'release:view', { productId: query.productId });
      const releases = Object.values(account.view.releases).filter((r) =>
        query.productId === undefined ? visible(account, actor, 'release:view', productTeam(account, r.productId)) : r.productId === query.productId,
      );
      return { items: releases.map(withVersions(account)) };
    },
  }),
  operation({
    method: 'post',
    path: '/releases',
    summary: 'Create a release of a product (release:create)',
    body: c.CreateReleaseRequestSchema,
    response: c.ReleaseResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => releaseOf(account, (await account.createRelease(actor, body)).id),
  }),
  operation({
    method: 'post',
    path: '/releases/{id}/versions',
    summary: 'Add a version to a release (release:create; not while locked or archived)',
    body: c.AddReleaseVersionRequestSchema,
    response: c.ReleaseResponseSchema,
    handle: async ({ account, actor, body, params }) => {
      await account.addToRelease(actor, { ...body, releaseId: params.id });
      return releaseOf(account, params.id);
    },
  }),
  ...(Object.keys(RELEASE_FLAGS) as (keyof typeof RELEASE_FLAGS)[]).map((verb) => {
    const [command, summary] = RELEASE_FLAGS[verb];
    return operation({
      method: 'post',
      path: `/releases/{id}/${verb}`,
      summary,
      response: c.ReleaseResponseSchema,
      handle: async ({ account, actor, params }) => {
        await account[command](actor, { releaseId: params.id });
        return releaseOf(account, params.id);
      },
    });
  }),
  operation({
    method: 'post',
    path: '/releases/{id}/decisions',
    summary: 'Approve or reject a release (release:approve; a rejection needs a reason)',
    body: c.ReleaseDecisionRequestSchema,
    response: c.ReleaseDecisionResponseSchema,
    handle: async ({ account, actor, body, params }) => {
      const { changed } = await account.decideRelease(actor, { ...body, releaseId: params.id });
      return { changed, ...releaseOf(account, params.id) };
    },
  }),
  operation({
    method: 'delete',
    path: '/releases/{id}',
    summary: 'Delete a release (release:delete; not while locked)',
    status: 204,
    handle: ({ account, actor, params }) => account.deleteRelease(actor, { releaseId: params.id }),
  }),
];

const ROLES: Operation[] = [
  operation({ method: 'get', path: '/roles', summary: 'Static roles, then custom roles', response: c.RoleListResponseSchema, handle: ({ account }) => ({ items: account.listRoles().map(roleDto) }) }),
  operation({
    method: 'get',
    path: '/roles/{id}',
    summary: 'A role with its permissions and the users holding it',
    response: c.RoleDetailResponseSchema,
    handle: ({ account, params }) => {
      const role = account.role(params.id);
      if (!role) throw new NotFoundError('role', params.id);
      return { role: roleDto(role), holders: account.holders(role.id) };
    },
  }),
  operation({
    method: 'post',
    path: '/roles',
    summary: 'Create a custom role (role:manage; only permissions you hold)',
    body: c.CreateRoleRequestSchema,
    response: c.RoleResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ role: roleDto(await account.createRole(actor, body)) }),
  }),
  operation({
    method: 'patch',
    path: '/roles/{id}',
    summary: 'Edit or rename a custom role (role:manage; static roles are immutable)',
    body: c.UpdateRoleRequestSchema,
    response: c.RoleResponseSchema,
    handle: async ({ account, actor, body, params }) => ({ role: roleDto(await account.updateRole(actor, { ...body, roleId: params.id })) }),
  }),
  operation({
    method: 'delete',
    path: '/roles/{id}',
    summary: 'Delete a custom role (role:manage; refused while granted, with the holders)',
    status: 204,
    handle: ({ account, actor, params }) => account.deleteRole(actor, { roleId: params.id }),
  }),
];

const GRANTS: Operation[] = [
  operation({
    method: 'get',
    path: '/grants',
    summary: 'Grants, optionally of one user (direct grants), group or role',
    query: c.GrantListQuerySchema,
    response: c.GrantListResponseSchema,
    handle: ({ account, query: q }) => ({
      items: Object.values(account.view.grants).filter(
        (g) =>
          (q.userId === undefined || (g.subject.type === 'user' && g.subject.id === q.userId)) &&
          (q.groupId === undefined || (g.subject.type === 'group' && g.subject.id === q.groupId)) &&
          (q.roleId === undefined || g.roleId === q.roleId),
      ),
    }),
  }),
  operation({
    method: 'post',
    path: '/grants',
    summary: 'Grant a role to a user or group, globally or in a team, optionally until a time (user_role:manage; 200 when it was held already)',
    body: c.CreateGrantRequestSchema,
    response: c.RoleChangeResponseSchema,
    status: 201,
    handle: async ({ account, actor, body, status }) => {
      const out = await account.assignRole(actor, body);
      if (!out.changed) status(200);
      return out;
    },
  }),
  operation({
    method: 'delete',
    path: '/grants/{id}',
    summary: 'Revoke a grant (user_role:manage in its scope; never the last Admin)',
    response: c.RoleChangeResponseSchema,
    handle: ({ account, actor, params }) => account.revokeRole(actor, { grantId: params.id }),
  }),
];

const GROUPS: Operation[] = [
  operation({ method: 'get', path: '/groups', summary: 'Groups and their members', response: c.GroupListResponseSchema, handle: ({ account }) => ({ items: Object.values(account.view.groups) }) }),
  operation({
    method: 'post',
    path: '/groups',
    summary: 'Create a group (user_role:manage)',
    body: c.CreateGroupRequestSchema,
    response: c.GroupResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ group: found(account.view.groups, 'group', (await account.createGroup(actor, body)).groupId) }),
  }),
  operation({
    method: 'post',
    path: '/groups/{id}/members',
    summary: 'Add a member: they get the group’s roles (user_role:manage; the same rules as granting them)',
    body: c.AddGroupMemberRequestSchema,
    response: c.GroupMemberResponseSchema,
    handle: async ({ account, actor, body, params }) => {
      const { changed, warnings } = await account.addGroupMember(actor, { ...body, groupId: params.id });
      return { group: found(account.view.groups, 'group', params.id), changed, warnings };
    },
  }),
  operation({
    method: 'delete',
    path: '/groups/{id}/members/{userId}',
    summary: 'Remove a member: they lose the group’s roles (user_role:manage)',
    response: c.GroupMemberResponseSchema,
    handle: async ({ account, actor, params }) => {
      // The core answers "nothing changed" for a non-member; an unknown user is a 404 here.
      found(account.view.users, 'user', params.userId);
      const { changed, warnings } = await account.removeGroupMember(actor, { groupId: params.id, userId: params.userId });
      return { group: found(account.view.groups, 'group', params.id), changed, warnings };
    },
  }),
  operation({
    method: 'delete',
    path: '/groups/{id}',
    summary: 'Delete a group: its members lose the roles it gave them (user_role:manage)',
    status: 204,
    handle: ({ account, actor, params }) => account.deleteGroup(actor, { groupId: params.id }),
  }),
];

const USERS: Operation[] = [
  operation({ method: 'get', path: '/users', summary: 'Users and service accounts, active or not', response: c.UserListResponseSchema, handle: ({ account }) => ({ items: Object.values(account.view.users) }) }),
  operation({
    method: 'get',
    path: '/users/{id}',
    summary: 'A user with roles and effective permissions globally and per team',
    response: c.UserDetailResponseSchema,
    handle: ({ account, params }) => {
      const user = found(account.view.users, 'user', params.id);
      const { primaryRole, scopes } = meOf(account, user.id, { userId: user.id });
      return { user, primaryRole, scopes };
    },
  }),
  operation({
    method: 'post',
    path: '/users',
    summary: 'Add a user or service account before they use Slack (user_role:manage; 200 when known: name and email refreshed)',
    body: c.CreateUserRequestSchema,
    response: c.UserResponseSchema,
    status: 201,
    handle: async ({ account, actor, body, status }) => {
      const known = Object.hasOwn(account.view.users, body.userId);
      const user = await account.addUser(actor, body);
      if (known) status(200);
      return { user };
    },
  }),
  operation({
    method: 'post',
    path: '/users/{id}/deactivate',
    summary: 'Deactivate a user: no permissions, keys stop working (user_role:manage; never the last Admin)',
    response: c.UserChangeResponseSchema,
    handle: async ({ account, actor, params }) => {
      const { changed, warnings } = await account.deactivateUser(actor, { userId: params.id });
      return { user: found(account.view.users, 'user', params.id), changed, warnings };
    },
  }),
  operation({
    method: 'post',
    path: '/users/{id}/reactivate',
    summary: 'Reactivate a user (user_role:manage)',
    response: c.UserResponseSchema,
    handle: async ({ account, actor, params }) => {
      await account.reactivateUser(actor, { userId: params.id });
      return { user: found(account.view.users, 'user', params.id) };
    },
  }),
];

const SETTINGS: Operation[] = [
  operation({ method: 'get', path: '/settings', summary: 'Account settings', response: c.SettingsResponseSchema, handle: ({ account }) => ({ settings: account.view.settings }) }),
  operation({
    method: 'patch',
    path: '/settings',
    summary: 'Change the default role and team for newcomers, the approvals channel, the longest access request (user_role:manage)',
    body: c.UpdateSettingsRequestSchema,
    response: c.SettingsResponseSchema,
    handle: async ({ account, actor, body }) => {
      await account.updateSettings(actor, body);
      return { settings: account.view.settings };
    },
  }),
];

/** Every administration endpoint, registered by api.ts and documented by openapi.ts. */
export const ADMIN_OPERATIONS: readonly Operation[] = [...TEAMS, ...PRODUCTS, ...ENVIRONMENTS, ...RULES, ...RELEASES, ...ROLES, ...GRANTS, ...GROUPS, ...USERS, ...SETTINGS];

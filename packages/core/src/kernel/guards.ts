import type { Permission } from '../authz/permissions.js';
import { bitsOf, closePermissions, hasBit, isSubset, permissionsOf } from '../authz/permissions.js';
import type { RoleDefinition } from '../authz/roles.js';
import { EscalationError, ForbiddenError, LastAdminError, SelfChangeError } from '../errors.js';
import type { RoleAssignment } from '../events/schema.js';
import type { AccountState, Subject } from '../schemas.js';
import { activeAdmins, assignmentsOf, usersOfSubject } from '../state/derived.js';
import type { Actor, AuthzView, DecideEnv } from './decider.js';
import { SYSTEM } from './decider.js';

/**
 * The governance guards every domain shares (SPEC §3): the permission check itself, rules 1–3 for
 * granting a role, rule 4 (keep an Admin) and "nobody changes themselves". Pure: they read the
 * state and the authorisation view and throw a typed refusal.
 */

/** Refuses unless the actor may; a ForbiddenError always carries the denial facts. */
export function requirePermission(authz: AuthzView, actor: Actor, permission: Permission, teamId: string | null): void {
  if (authz.actorCan(actor, permission, teamId)) return;
  const d = authz.explain(actor.userId, permission, teamId);
  // The user may, but the key they used may not (an API key's frozen permissions).
  if (d.allowed) throw new ForbiddenError({ userId: actor.userId, permission, teamId, grantingRoles: [], cause: 'key_scope' });
  throw new ForbiddenError(d.denial);
}

/** `requirePermission` with the environment's actor. */
export function need(env: DecideEnv, permission: Permission, teamId: string | null): void {
  requirePermission(env.authz, env.actor, permission, teamId);
}

export function notSelf(actor: Actor, userId: string): void {
  if (actor.userId === userId && actor.userId !== SYSTEM.userId) {
    throw new SelfChangeError('nobody changes their own roles or status: ask another administrator', { action: 'roles', userId });
  }
}

/** Governance rule 4: refuse a change that would leave no active Admin. */
export function keepAnAdmin(s: AccountState, without: Parameters<typeof activeAdmins>[1]): void {
  const before = activeAdmins(s);
  if (before.length === 0) return;
  if (activeAdmins(s, without).length === 0) {
    throw new LastAdminError(`the account must keep at least one active Admin (${before.join(', ')} is the last): make another Admin first`, { admins: before });
  }
}

/** `single_admin` while exactly one active Admin remains (optionally after a change). */
export function adminWarnings(s: AccountState, without?: Parameters<typeof activeAdmins>[1]): string[] {
  return activeAdmins(s, without).length === 1 ? ['single_admin'] : [];
}

function hasGlobalAdmin(s: AccountState, userId: string, now: number): boolean {
  return assignmentsOf(s, userId, now).some((a) => a.roleId === 'admin' && a.teamId === null);
}

/**
 * Governance rules 1–3 for granting a role: the actor holds user_role:manage in the scope,
 * does not change their own roles, and holds every permission the role carries there.
 */
export function checkCanGrant(s: AccountState, env: DecideEnv, subject: Subject, role: RoleDefinition, teamId: string | null): void {
  const { actor } = env;
  need(env, 'user_role:manage', teamId);
  if (actor.userId === SYSTEM.userId) return;
  if (usersOfSubject(s, subject).includes(actor.userId)) {
    throw new SelfChangeError('nobody changes their own roles: ask another administrator', { action: 'roles', userId: actor.userId, roleId: role.id });
  }
  const roleBits = bitsOf(closePermissions(role.permissions));
  const mine = env.authz.actorBits(actor, teamId);
  const isGlobalAdmin = actor.keyId ? false : s.users[actor.userId]?.active === true && hasGlobalAdmin(s, actor.userId, env.now);
  if (role.id === 'admin' ? !isGlobalAdmin : !isSubset(roleBits, mine)) {
    const missing = permissionsOf(roleBits).filter((p) => !hasBit(mine, p));
    throw new EscalationError(role.id === 'admin' ? 'only an Admin makes an Admin' : `you cannot grant ${role.name}: it holds permissions you do not hold`, { action: 'grant', roleId: role.id, teamId, missing });
  }
}

/** A role may only carry permissions its author holds globally. */
export function checkRolePermissions(env: DecideEnv, permissions: readonly Permission[]): void {
  const mine = env.authz.actorBits(env.actor, null);
  const missing = [...closePermissions(permissions)].filter((p) => !hasBit(mine, p));
  if (missing.length) throw new EscalationError(`a role cannot carry permissions you do not hold yourself: ${missing.join(', ')}`, { action: 'role_permissions', missing });
}

/** Role assignments of every user a change touches, before and after it. */
export function roleDiff(s: AccountState, now: number, users: Iterable<string>, after: (userId: string) => RoleAssignment[]) {
  return [...new Set(users)].map((userId) => ({ userId, before: assignmentsOf(s, userId, now), after: after(userId) }));
}

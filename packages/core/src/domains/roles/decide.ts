import type * as C from '../../commands.js';
import { PERMISSIONS } from '../../authz/permissions.js';
import { STATIC_ROLES, isStaticRoleId } from '../../authz/roles.js';
import { ConflictError, NotFoundError, RoleInUseError, RoleScopeError, StaticRoleImmutableError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { checkRolePermissions, need } from '../../kernel/guards.js';
import { own } from '../../own.js';
import type { AccountState, CustomRole } from '../../schemas.js';
import { grantsOfRole } from '../../state/derived.js';

function uniqueRoleName(s: AccountState, name: string, except?: string): void {
  const taken = [...Object.values(STATIC_ROLES), ...Object.values(s.roles)].find((r) => r.id !== except && r.name.toLowerCase() === name.toLowerCase());
  if (taken) throw new ConflictError(`a role named '${taken.name}' already exists`, { roleId: taken.id });
}

export const createRole: Decide<C.Parsed<typeof C.CreateRoleInput>, CustomRole> = (s, i, env) => {
  need(env, 'role:manage', null);
  uniqueRoleName(s, i.name);
  checkRolePermissions(env, i.permissions);
  if (i.roleId !== undefined && (isStaticRoleId(i.roleId) || own(s.roles, i.roleId))) throw new ConflictError(`role '${i.roleId}' already exists`, { roleId: i.roleId });
  const role: CustomRole = {
    id: i.roleId ?? env.newId('role'),
    name: i.name,
    description: i.description,
    scope: i.scope,
    kind: 'custom',
    permissions: PERMISSIONS.filter((p) => i.permissions.includes(p)),
    createdAt: env.now,
  };
  return { events: [{ type: 'role.created', data: { role } }], result: role };
};

/** A granted role changing scope would strand its grants: refuse while any are in the old scope. */
function checkScopeChange(s: AccountState, before: CustomRole, after: CustomRole): void {
  if (after.scope === before.scope) return;
  const stranded = grantsOfRole(s, before.id).filter((g) => (after.scope === 'team' ? g.teamId === null : g.teamId !== null));
  if (!stranded.length) return;
  const message =
    after.scope === 'team'
      ? `'${before.name}' is granted globally ${stranded.length} time(s): revoke those grants before making it team-scoped`
      : `'${before.name}' is granted in teams ${stranded.length} time(s): revoke those grants before making it global`;
  throw new RoleScopeError(message, { grants: stranded.map((g) => g.id) });
}

/** Edit or rename a custom role. Static roles are immutable (rule 5). */
export const updateRole: Decide<C.Parsed<typeof C.UpdateRoleInput>, CustomRole> = (s, i, env) => {
  need(env, 'role:manage', null);
  if (isStaticRoleId(i.roleId)) throw new StaticRoleImmutableError(`${STATIC_ROLES[i.roleId].name} is a static role: it cannot be edited, renamed or deleted; create a custom role instead`, { roleId: i.roleId });
  const before = own(s.roles, i.roleId);
  if (!before) throw new NotFoundError('role', i.roleId);
  if (i.name !== undefined) uniqueRoleName(s, i.name, before.id);
  if (i.permissions) checkRolePermissions(env, i.permissions);
  // Editing a granted role changes what its holders may do: the editor must be able to grant it.
  checkRolePermissions(env, before.permissions);
  const after: CustomRole = {
    ...before,
    name: i.name ?? before.name,
    description: i.description ?? before.description,
    scope: i.scope ?? before.scope,
    permissions: i.permissions ? PERMISSIONS.filter((p) => i.permissions?.includes(p)) : before.permissions,
  };
  checkScopeChange(s, before, after);
  if (JSON.stringify(after) === JSON.stringify(before)) return unchanged(before);
  return { events: [{ type: 'role.updated', data: { before, after } }], result: after };
};

export const deleteRole: Decide<C.Parsed<typeof C.RoleRefInput>, void> = (s, { roleId }, env) => {
  need(env, 'role:manage', null);
  if (isStaticRoleId(roleId)) throw new StaticRoleImmutableError(`${STATIC_ROLES[roleId].name} is a static role and cannot be deleted`, { roleId });
  const role = own(s.roles, roleId);
  if (!role) throw new NotFoundError('role', roleId);
  const grants = grantsOfRole(s, roleId);
  if (grants.length) {
    const holders = grants.map((g) => ({ subject: g.subject, teamId: g.teamId }));
    throw new RoleInUseError(`'${role.name}' is still granted to ${holders.map((h) => `${h.subject.type} ${h.subject.id}`).join(', ')}: revoke those grants first`, { roleId, defaultRole: false, holders });
  }
  if (s.settings.defaultRoleId === roleId) throw new RoleInUseError(`'${role.name}' is the default role for newcomers: change the default first`, { roleId, defaultRole: true, holders: [] });
  return { events: [{ type: 'role.deleted', data: { role } }], result: undefined };
};

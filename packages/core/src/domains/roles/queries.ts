import type { RoleDefinition } from '../../authz/roles.js';
import { STATIC_ROLES } from '../../authz/roles.js';
import type { AccountState } from '../../schemas.js';

/** The static roles in their fixed order, then the account's custom roles by name. */
export function listRoles(s: AccountState): RoleDefinition[] {
  return [...Object.values(STATIC_ROLES), ...Object.values(s.roles).sort((a, b) => a.name.localeCompare(b.name))];
}

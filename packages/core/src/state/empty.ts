import type { RoleDefinition } from '../authz/roles.js';
import { STATIC_ROLES, isStaticRoleId } from '../authz/roles.js';
import { own } from '../own.js';
import type { AccountState } from '../schemas.js';
import { STATE_SCHEMA_VERSION } from '../schemas.js';

export const GENESIS_HASH = '0'.repeat(64);

/** An account before its first event. */
export function emptyState(accountId: string): AccountState {
  return {
    schema: STATE_SCHEMA_VERSION,
    id: accountId,
    name: '',
    createdAt: 0,
    seq: 0,
    lastHash: GENESIS_HASH,
    settings: { defaultRoleId: 'viewer', defaultTeamId: 'general', defaultChannel: null, maxAccessDurationMs: 30 * 86_400_000 },
    users: {},
    teams: {},
    groups: {},
    roles: {},
    grants: {},
    products: {},
    environments: {},
    rules: {},
    versions: {},
    releases: {},
    deployments: {},
    requests: {},
    keys: {},
  };
}

/** A static role, or a custom role of the account (own properties only). */
export function roleById(state: AccountState, roleId: string): RoleDefinition | undefined {
  if (isStaticRoleId(roleId)) return STATIC_ROLES[roleId];
  return own(state.roles, roleId);
}

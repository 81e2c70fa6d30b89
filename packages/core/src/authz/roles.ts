import type { Permission } from './permissions.js';
import { BASELINE_VIEWS, PERMISSIONS, closePermissions } from './permissions.js';

export const STATIC_ROLE_IDS = [
  'admin',
  'release_manager',
  'product',
  'developer',
  'sre',
  'qa',
  'security',
  'compliance',
  'billing',
  'viewer',
] as const;
export type StaticRoleId = (typeof STATIC_ROLE_IDS)[number];

export type RoleScope = 'global' | 'team';

export interface RoleDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Where the role may be granted: `global` roles anywhere, `team` roles only in a team. */
  readonly scope: RoleScope;
  readonly kind: 'static' | 'custom';
  readonly permissions: readonly Permission[];
}

const extra: Record<StaticRoleId, readonly Permission[]> = {
  // Admin holds every permission of the registry, including ones added later.
  admin: PERMISSIONS,
  release_manager: [
    'product:create',
    'product:edit',
    'environment:create',
    'environment:edit',
    'release:create',
    'deployment:create',
    'deployment_rule:manage',
    'variable:manage',
    'template:manage',
    'release:approve',
    'version:approve:release',
    'integration:view',
    'release:delete',
    'deployment_rule:delete',
    'release:lock',
    'release:archive',
    'gate:override',
  ],
  product: ['release:create', 'release:approve', 'version:approve:product'],
  developer: ['release:create', 'version:create', 'deployment:create', 'integration:view', 'api_key:create'],
  sre: [
    'environment:create',
    'environment:edit',
    'deployment:create',
    'deployment_rule:manage',
    'variable:manage',
    'template:manage',
    'version:approve:operational',
    'integration:manage',
    'notification:manage',
  ],
  qa: ['version:approve:qa'],
  security: ['version:approve:security', 'audit:view'],
  compliance: ['version:approve:compliance', 'audit:view'],
  billing: ['billing:manage', 'invoice:download'],
  viewer: [],
};

const names: Record<StaticRoleId, [string, string]> = {
  admin: ['Admin', 'Full control over account settings, users, roles, billing and API keys'],
  release_manager: ['Release Manager', 'Oversees releases and deployment workflows'],
  product: ['Product', 'Creates releases and approves product readiness'],
  developer: ['Developer', 'Creates versions, releases and deployments'],
  sre: ['SRE', 'Manages environments, deployment automation and integrations; approves operational readiness'],
  qa: ['QA', 'Approves versions for quality standards'],
  security: ['Security', 'Approves versions for security reviews'],
  compliance: ['Compliance', 'Approves versions for regulatory compliance'],
  billing: ['Billing', 'Manages billing and subscription, downloads invoices'],
  viewer: ['Viewer', 'Read-only access to all deployment information'],
};

function build(id: StaticRoleId): RoleDefinition {
  const [name, description] = names[id];
  const perms = closePermissions([...BASELINE_VIEWS, ...extra[id]]);
  return Object.freeze({
    id,
    name,
    description,
    scope: 'global',
    kind: 'static',
    permissions: Object.freeze(PERMISSIONS.filter((p) => perms.has(p))),
  });
}

/** The ten static roles (SPEC §2), immutable. */
export const STATIC_ROLES: Readonly<Record<StaticRoleId, RoleDefinition>> = Object.freeze(
  Object.fromEntries(STATIC_ROLE_IDS.map((id) => [id, build(id)])) as Record<StaticRoleId, RoleDefinition>,
);

export function isStaticRoleId(id: string): id is StaticRoleId {
  return (STATIC_ROLE_IDS as readonly string[]).includes(id);
}

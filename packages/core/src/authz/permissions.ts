import { z } from 'zod';

/** Approval types a version can receive (SPEC §4). */
export const APPROVAL_TYPES = ['qa', 'security', 'compliance', 'product', 'operational', 'release'] as const;
export type ApprovalType = (typeof APPROVAL_TYPES)[number];
export const ApprovalTypeSchema = z.enum(APPROVAL_TYPES);

/**
 * The permission registry: every permission is `resource:action`. The order is the bit order
 * of the compiled index; appending is safe, reordering changes nothing persisted (grants store
 * role ids, roles store permission names), so the index is always rebuilt from names.
 */
export const PERMISSIONS = [
  'product:view',
  'product:create',
  'product:edit',
  'environment:view',
  'environment:create',
  'environment:edit',
  'deployment:view',
  'deployment:create',
  'release:view',
  'release:create',
  'release:delete',
  'release:lock',
  'release:archive',
  'release:approve',
  'version:view',
  'version:create',
  ...APPROVAL_TYPES.map((t) => `version:approve:${t}` as const),
  'deployment_rule:view',
  'deployment_rule:manage',
  'deployment_rule:delete',
  'variable:view',
  'variable:manage',
  'template:view',
  'template:manage',
  'integration:view',
  'integration:manage',
  'notification:manage',
  'api_key:create',
  'api_key:manage',
  'user_role:manage',
  'role:manage',
  'team:manage',
  'billing:manage',
  'invoice:download',
  'audit:view',
  'gate:override',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const PermissionSchema = z.enum(PERMISSIONS, {
  error: (issue) => `unknown permission '${String(issue.input)}': use one of the registry (e.g. version:create)`,
});

/** Bit position of each permission. */
export const PERMISSION_INDEX: Readonly<Record<Permission, number>> = Object.fromEntries(
  PERMISSIONS.map((p, i) => [p, i]),
) as Record<Permission, number>;

/** The same, as a Map: faster than an object for lookups with varying keys on the hot path. */
export const PERMISSION_BIT: ReadonlyMap<string, number> = new Map(PERMISSIONS.map((p, i) => [p, i]));

/** Number of 32-bit words a permission set needs. */
export const WORDS = Math.ceil(PERMISSIONS.length / 32);

export function isPermission(s: string): s is Permission {
  return Object.prototype.hasOwnProperty.call(PERMISSION_INDEX, s);
}

export function resourceOf(p: Permission): string {
  return p.slice(0, p.indexOf(':'));
}

/**
 * Implications: any action on a resource implies its `view`, where the registry has one.
 * (`version:approve:qa` implies `version:view`, `integration:manage` implies `integration:view`.)
 */
export function implied(p: Permission): Permission[] {
  const view = `${resourceOf(p)}:view`;
  return view !== p && isPermission(view) ? [view] : [];
}

/** Expand a set with its implications (closure; the implication graph has depth one). */
export function closePermissions(perms: Iterable<Permission>): Set<Permission> {
  const out = new Set<Permission>();
  for (const p of perms) {
    out.add(p);
    for (const q of implied(p)) out.add(q);
  }
  return out;
}

/** Views every role holds (SPEC §2: the view rows, plus variables and templates). */
export const BASELINE_VIEWS: readonly Permission[] = [
  'product:view',
  'environment:view',
  'deployment:view',
  'release:view',
  'version:view',
  'deployment_rule:view',
  'variable:view',
  'template:view',
];

export type PermissionBits = Uint32Array;

export function emptyBits(): PermissionBits {
  return new Uint32Array(WORDS);
}

export function bitsOf(perms: Iterable<Permission>): PermissionBits {
  const b = emptyBits();
  for (const p of perms) {
    const i = PERMISSION_INDEX[p];
    b[i >>> 5]! |= 1 << (i & 31);
  }
  return b;
}

export function orInto(target: PermissionBits, src: PermissionBits): void {
  for (let w = 0; w < WORDS; w++) target[w]! |= src[w]!;
}

export function hasBit(bits: PermissionBits, p: Permission): boolean {
  const i = PERMISSION_INDEX[p];
  return (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}

export function permissionsOf(bits: PermissionBits): Permission[] {
  return PERMISSIONS.filter((p) => hasBit(bits, p));
}

/** True when every bit of `a` is in `b`. */
export function isSubset(a: PermissionBits, b: PermissionBits): boolean {
  for (let w = 0; w < WORDS; w++) if ((a[w]! & ~b[w]!) !== 0) return false;
  return true;
}

export function approvalPermission(t: ApprovalType): Permission {
  return `version:approve:${t}`;
}

import type { Permission, RoleScope } from '@gatehouse/core';
import { PERMISSIONS, STATIC_ROLES, STATIC_ROLE_IDS, closePermissions } from '@gatehouse/core';
import { Rng } from '@gatehouse/core/testing';

/**
 * The authorisation workload, as plain data every peer is built from (never from Gatehouse's own
 * state, so a wrong translation shows up as disagreements instead of being copied).
 */
export interface RolePlan {
  /** Static role id, or `custom-N` (the Gatehouse builder maps it to the id createRole returns). */
  readonly key: string;
  readonly name: string;
  readonly scope: RoleScope;
  readonly custom: boolean;
  /** As given to createRole (custom) or the static definition. */
  readonly permissions: readonly Permission[];
  /** With implications (`x:edit` ⇒ `x:view`): what the role really allows. */
  readonly closed: ReadonlySet<Permission>;
}

export interface GrantPlan {
  readonly role: string;
  /** null = global grant. */
  readonly teamId: string | null;
}

export interface UserPlan {
  readonly id: string;
  readonly grants: readonly GrantPlan[];
  /** The teams the user holds a team grant in. */
  readonly teams: readonly string[];
}

export interface WorldPlan {
  readonly seed: number;
  readonly teams: readonly string[];
  readonly roles: ReadonlyMap<string, RolePlan>;
  readonly users: readonly UserPlan[];
}

export interface Queries {
  readonly n: number;
  readonly users: readonly string[];
  readonly perms: readonly Permission[];
  /** null = a global check (no team). */
  readonly teams: readonly (string | null)[];
  /** What the generator meant (allowed / not), from the plan: a sanity check on the mix. */
  readonly intended: Uint8Array;
  readonly crossTeam: number;
  readonly global: number;
}

export interface WorkloadShape {
  users: number;
  teams: number;
  queries: number;
}

export const CUSTOM_ROLES = 5;
/** Share of users holding a global role. */
const GLOBAL_USERS = 0.05;
const CROSS_TEAM = 0.1;
const GLOBAL_QUERIES = 0.05;
const ALLOWED = 0.7;

export const teamId = (i: number): string => `t${String(i + 1).padStart(3, '0')}`;
export const userId = (i: number): string => `U${String(i + 1).padStart(7, '0')}`;

function rolesOf(rng: Rng): Map<string, RolePlan> {
  const roles = new Map<string, RolePlan>();
  for (const id of STATIC_ROLE_IDS) {
    const r = STATIC_ROLES[id];
    roles.set(id, { key: id, name: r.name, scope: 'global', custom: false, permissions: r.permissions, closed: closePermissions(r.permissions) });
  }
  // Five custom roles with 5–40 permissions: four team-scoped, one global.
  const sizes = [5, 12, 22, 31, 40];
  for (let i = 1; i <= CUSTOM_ROLES; i++) {
    const permissions = rng.sample(PERMISSIONS, Math.min(PERMISSIONS.length, (sizes[i - 1] ?? 5) + rng.int(0, 3)));
    const scope: RoleScope = i === CUSTOM_ROLES ? 'global' : 'team';
    roles.set(`custom-${String(i)}`, { key: `custom-${String(i)}`, name: `Custom ${String(i)}`, scope, custom: true, permissions, closed: closePermissions(permissions) });
  }
  return roles;
}

/** Team roles as a growing SaaS company hands them out: mostly developers and viewers. */
const TEAM_ROLE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['developer', 34],
  ['viewer', 14],
  ['qa', 10],
  ['sre', 7],
  ['product', 6],
  ['release_manager', 4],
  ['security', 3],
  ['compliance', 2],
  ['custom-1', 6],
  ['custom-2', 6],
  ['custom-3', 4],
  ['custom-4', 4],
];
const GLOBAL_ROLE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['viewer', 25],
  ['security', 12],
  ['compliance', 10],
  ['release_manager', 12],
  ['sre', 12],
  ['billing', 6],
  ['qa', 8],
  ['admin', 3],
  ['custom-5', 12],
];

export function planWorld(shape: Pick<WorkloadShape, 'users' | 'teams'>, seed = 20260101): WorldPlan {
  const rng = new Rng(seed);
  const roles = rolesOf(rng);
  const teams = Array.from({ length: shape.teams }, (_, i) => teamId(i));
  const users: UserPlan[] = [];
  for (let u = 0; u < shape.users; u++) {
    const grants: GrantPlan[] = [];
    const nTeams = rng.weighted([
      [1, 50],
      [2, 30],
      [3, 15],
      [4, 5],
    ] as const);
    // Some teams are bigger than others.
    const mine = new Set<string>();
    while (mine.size < nTeams) mine.add(teams[rng.zipf(teams.length)] as string);
    for (const t of mine) {
      const nRoles = rng.chance(0.3) ? 2 : 1;
      const held = new Set<string>();
      while (held.size < nRoles) held.add(rng.weighted(TEAM_ROLE_WEIGHTS));
      for (const role of held) grants.push({ role, teamId: t });
    }
    if (rng.chance(GLOBAL_USERS)) grants.push({ role: rng.weighted(GLOBAL_ROLE_WEIGHTS), teamId: null });
    users.push({ id: userId(u), grants, teams: [...mine] });
  }
  return { seed, teams, roles, users };
}

/** A user's effective permissions in a scope (global grants reach every team), from the plan. */
export function effective(plan: WorldPlan, user: UserPlan, team: string | null): Set<Permission> {
  const out = new Set<Permission>();
  for (const g of user.grants) {
    if (g.teamId !== null && g.teamId !== team) continue;
    for (const p of plan.roles.get(g.role)?.closed ?? []) out.add(p);
  }
  return out;
}

/**
 * `n` checks: users drawn zipf-like (a random permutation decides who is hot), ~85% in one of the
 * user's teams, ~10% in a team they are not in, ~5% global; the permission is drawn from what the
 * user holds there or from what they do not hold, with the odds set so that ~70% are allowed
 * (cross-team and global checks are mostly denials, so in-team ones lean to allowed).
 */
export function planQueries(plan: WorldPlan, n: number, seed = plan.seed + 1): Queries {
  const rng = new Rng(seed);
  const hot = rng.shuffle(Array.from({ length: plan.users.length }, (_, i) => i));
  const users: string[] = new Array<string>(n);
  const perms: Permission[] = new Array<Permission>(n);
  const teams: (string | null)[] = new Array<string | null>(n);
  // Per (user, scope): which registry permissions are held (1) — a byte each keeps 100k users small.
  const masks: Uint8Array[] = new Array<Uint8Array>(n);
  const cache = new Map<string, Uint8Array>();
  const intended = new Uint8Array(n);
  const P = PERMISSIONS.length;
  let crossTeam = 0;
  let global = 0;
  let both = 0;
  let onlyAllowed = 0;
  for (let i = 0; i < n; i++) {
    const user = plan.users[hot[rng.zipf(hot.length)] as number] as UserPlan;
    let team: string | null;
    const r = rng.next();
    if (r < GLOBAL_QUERIES) {
      team = null;
      global++;
    } else if (r < GLOBAL_QUERIES + CROSS_TEAM && user.teams.length < plan.teams.length) {
      do team = rng.pick(plan.teams);
      while (user.teams.includes(team));
      crossTeam++;
    } else team = rng.pick(user.teams);
    const key = `${user.id}|${team ?? ''}`;
    let mask = cache.get(key);
    if (!mask) {
      const eff = effective(plan, user, team);
      mask = Uint8Array.from(PERMISSIONS, (p) => (eff.has(p) ? 1 : 0));
      cache.set(key, mask);
    }
    const held = mask.reduce((a, b) => a + b, 0);
    if (held > 0 && held < P) both++;
    else if (held === P) onlyAllowed++;
    users[i] = user.id;
    teams[i] = team;
    masks[i] = mask;
  }
  const pAllow = both === 0 ? 1 : Math.min(1, Math.max(0, (ALLOWED * n - onlyAllowed) / both));
  for (let i = 0; i < n; i++) {
    const mask = masks[i] as Uint8Array;
    const held = mask.reduce((a, b) => a + b, 0);
    const allow = (rng.chance(pAllow) && held > 0) || held === P;
    // The k-th permission on the chosen side.
    let k = rng.int(0, (allow ? held : P - held) - 1);
    let chosen = 0;
    for (let j = 0; j < P; j++) {
      if ((mask[j] === 1) === allow && k-- === 0) {
        chosen = j;
        break;
      }
    }
    perms[i] = PERMISSIONS[chosen] as Permission;
    intended[i] = allow ? 1 : 0;
  }
  return { n, users, perms, teams, intended, crossTeam, global };
}

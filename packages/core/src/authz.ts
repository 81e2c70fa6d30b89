import type { DenialFacts } from './errors.js';
import type { Permission, PermissionBits } from './permissions.js';
import { PERMISSIONS, PERMISSION_BIT, bitsOf, closePermissions, emptyBits, hasBit, orInto } from './permissions.js';
import { STATIC_ROLES } from './roles.js';
import type { AccountState, ApiKey } from './schemas.js';
import { grantsOfUser, roleById } from './state.js';

interface Entry {
  /** Union of global grants in force. */
  global: PermissionBits;
  /** Per team: global | that team's grants. Only teams where the user has a team grant. */
  teams: Map<string, PermissionBits> | null;
}

const NONE: PermissionBits = emptyBits();

/** The answer to "may this user do that?", with the reason on deny. */
export type Decision =
  | { allowed: true; grantedBy: { roleId: string; teamId: string | null; via: string | null }[] }
  | { allowed: false; denial: DenialFacts };

/**
 * The compiled permission index: per user, one bitset for global grants and one per team
 * they hold a team grant in. Checks read only this; every committed change updates it at once.
 */
export class AuthzIndex {
  private readonly users = new Map<string, Entry>();
  private readonly roleBits = new Map<string, PermissionBits>();
  private readonly keyBits = new Map<string, Entry>();
  /** Earliest expiry among grants currently counted; Infinity when none expire. */
  private nextExpiry = Number.POSITIVE_INFINITY;
  private readonly expiring = new Map<string, number>();

  constructor(
    private state: AccountState,
    private readonly now: () => number,
  ) {
    this.rebuildAll();
  }

  /** Points the index at a new state object (after a reload) and recompiles. */
  reset(state: AccountState): void {
    this.state = state;
    this.rebuildAll();
  }

  rebuildAll(): void {
    this.roleBits.clear();
    this.keyBits.clear();
    this.users.clear();
    this.expiring.clear();
    this.nextExpiry = Number.POSITIVE_INFINITY;
    for (const id of Object.keys(this.state.users)) this.rebuildUser(id);
  }

  /** Recompiles one user's entry; cheap (a few grants), so every grant change calls it. */
  rebuildUser(userId: string): void {
    const user = this.state.users[userId];
    this.expiring.delete(userId);
    if (!user?.active) {
      this.users.delete(userId);
      return;
    }
    const now = this.now();
    const global = emptyBits();
    const perTeam = new Map<string, PermissionBits>();
    let expiry = Number.POSITIVE_INFINITY;
    for (const { grant } of grantsOfUser(this.state, userId)) {
      if (grant.expiresAt !== null) {
        if (grant.expiresAt <= now) continue;
        expiry = Math.min(expiry, grant.expiresAt);
      }
      const bits = this.bitsOfRole(grant.roleId);
      if (grant.teamId === null) orInto(global, bits);
      else {
        let t = perTeam.get(grant.teamId);
        if (!t) perTeam.set(grant.teamId, (t = emptyBits()));
        orInto(t, bits);
      }
    }
    for (const t of perTeam.values()) orInto(t, global);
    this.users.set(userId, { global, teams: perTeam.size ? perTeam : null });
    if (expiry !== Number.POSITIVE_INFINITY) {
      this.expiring.set(userId, expiry);
      this.nextExpiry = Math.min(this.nextExpiry, expiry);
    }
  }

  /** A role's permissions changed or it was deleted: forget its bits and recompile everyone. */
  roleChanged(): void {
    this.rebuildAll();
  }

  private bitsOfRole(roleId: string): PermissionBits {
    let b = this.roleBits.get(roleId);
    if (!b) {
      const role = roleById(this.state, roleId);
      b = role ? bitsOf(closePermissions(role.permissions)) : emptyBits();
      this.roleBits.set(roleId, b);
    }
    return b;
  }

  private refreshExpired(now: number): void {
    const due = [...this.expiring].filter(([, t]) => t <= now).map(([u]) => u);
    for (const u of due) this.rebuildUser(u);
    this.nextExpiry = Math.min(Number.POSITIVE_INFINITY, ...this.expiring.values());
  }

  /** The hot path: one map lookup and one bit test. */
  can(userId: string, permission: Permission, teamId?: string | null): boolean {
    if (this.nextExpiry !== Number.POSITIVE_INFINITY) {
      const now = this.now();
      if (now >= this.nextExpiry) this.refreshExpired(now);
    }
    const e = this.users.get(userId);
    if (e === undefined) return false;
    const bits = teamId == null || e.teams === null ? e.global : (e.teams.get(teamId) ?? e.global);
    const i = PERMISSION_BIT.get(permission);
    return i !== undefined && (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** The user's effective permission bits in a scope (global when teamId is null). */
  bits(userId: string, teamId: string | null): PermissionBits {
    if (this.nextExpiry !== Number.POSITIVE_INFINITY) {
      const now = this.now();
      if (now >= this.nextExpiry) this.refreshExpired(now);
    }
    const e = this.users.get(userId);
    if (!e) return NONE;
    return teamId === null || e.teams === null ? e.global : (e.teams.get(teamId) ?? e.global);
  }

  /** Teams where the user holds a team grant (global grants reach every team). */
  teamsOf(userId: string): string[] {
    return [...(this.users.get(userId)?.teams?.keys() ?? [])];
  }

  /** Checks an API key: a frozen snapshot (api_key) or the owner's live permissions (personal token). */
  canKey(key: ApiKey, permission: Permission, teamId?: string | null): boolean {
    if (key.revokedAt !== null || !this.state.users[key.ownerId]?.active) return false;
    if (key.kind === 'personal_token' || key.snapshot === null) return this.can(key.ownerId, permission, teamId);
    return hasBit(this.keyScopeBits(key, teamId ?? null), permission);
  }

  keyScopeBits(key: ApiKey, teamId: string | null): PermissionBits {
    if (key.kind === 'personal_token' || key.snapshot === null) return this.bits(key.ownerId, teamId);
    let e = this.keyBits.get(key.id);
    if (!e) {
      const snap = key.snapshot;
      const global = bitsOf(snap.global);
      const teams = new Map<string, PermissionBits>();
      for (const [t, perms] of Object.entries(snap.teams)) {
        const b = bitsOf(perms);
        orInto(b, global);
        teams.set(t, b);
      }
      e = { global, teams: teams.size ? teams : null };
      this.keyBits.set(key.id, e);
    }
    return teamId === null || e.teams === null ? e.global : (e.teams.get(teamId) ?? e.global);
  }

  /** Like `can`, with the grants that allow it, or on deny what is missing and which roles would give it. */
  explain(userId: string, permission: Permission, teamId: string | null = null): Decision {
    const now = this.now();
    const user = this.state.users[userId];
    if (this.can(userId, permission, teamId)) {
      const grantedBy = grantsOfUser(this.state, userId)
        .filter(({ grant }) => grant.expiresAt === null || grant.expiresAt > now)
        .filter(({ grant }) => grant.teamId === null || grant.teamId === teamId)
        .filter(({ grant }) => closePermissions(roleById(this.state, grant.roleId)?.permissions ?? []).has(permission))
        .map(({ grant, via }) => ({ roleId: grant.roleId, teamId: grant.teamId, via }));
      return { allowed: true, grantedBy };
    }
    const grantingRoles = [...Object.values(STATIC_ROLES), ...Object.values(this.state.roles)]
      .filter((r) => closePermissions(r.permissions).has(permission))
      .filter((r) => teamId !== null || r.scope === 'global')
      .map((r) => r.id);
    return {
      allowed: false,
      denial: {
        userId,
        permission,
        teamId,
        grantingRoles,
        cause: !user ? 'unknown_user' : !user.active ? 'user_inactive' : 'missing_permission',
      },
    };
  }

  /** Effective permissions as names (for display and API keys' snapshots). */
  permissionsIn(userId: string, teamId: string | null): Permission[] {
    const b = this.bits(userId, teamId);
    return PERMISSIONS.filter((p) => hasBit(b, p));
  }
}

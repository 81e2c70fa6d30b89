import type { DenialFacts } from '../errors.js';
import type { Permission, PermissionBits } from './permissions.js';
import { PERMISSIONS, PERMISSION_BIT, WORDS, bitsOf, closePermissions, emptyBits, hasBit, orInto } from './permissions.js';
import { STATIC_ROLES } from './roles.js';
import { own } from '../own.js';
import type { AccountState, ApiKey, Grant } from '../schemas.js';
import { grantsOfUser, visitGrantsOfUser } from '../state/derived.js';
import { roleById } from '../state/empty.js';

interface KeyEntry {
  global: PermissionBits;
  teams: Map<string, PermissionBits> | null;
}

const NONE: PermissionBits = emptyBits();

/** One scope in a user's record: a tag (0 = global, otherwise team number + 1) and the bit words. */
const STRIDE = 1 + WORDS;
const GLOBAL_TAG = 0;

/** The answer to "may this user do that?", with the reason on deny. */
export type Decision =
  | { allowed: true; grantedBy: { roleId: string; teamId: string | null; via: string | null }[] }
  | { allowed: false; denial: DenialFacts };

/**
 * The compiled permission index. Every active user has one record in a shared `Uint32Array`
 * pool: `[scopes, (tag, word…) × scopes]`, the global scope first, then one scope per team the
 * user holds a team grant in (that team's grants OR the global ones). A check is a map lookup
 * for the record, at most a few tag compares, and one bit test — no objects to chase, so 10,000
 * users fit in a few hundred kilobytes and stay in cache. Checks read only this; every committed
 * change recompiles the affected users' records at once.
 */
export class AuthzIndex {
  /** User id → offset of their record in `pool`. */
  private slots = new Map<string, number>();
  private pool = new Uint32Array(0);
  /** Used length of `pool`, and how much of it belongs to records no longer referenced. */
  private end = 0;
  private waste = 0;
  /** Team id → tag (team number + 1); numbers are handed out on first sight and never reused. */
  private readonly teamTags = new Map<string, number>();
  private readonly teamIds: string[] = [];
  private readonly roleBits = new Map<string, PermissionBits>();
  private readonly keyBits = new Map<string, KeyEntry>();
  /** Earliest expiry among grants currently counted; Infinity when none expire. */
  private nextExpiry = Number.POSITIVE_INFINITY;
  private readonly expiring = new Map<string, number>();
  /** Scratch record for one user while it is compiled. */
  private scratch = new Uint32Array(STRIDE * 8 + 1);

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

  private tagOf(teamId: string): number {
    let tag = this.teamTags.get(teamId);
    if (tag === undefined) {
      this.teamIds.push(teamId);
      tag = this.teamIds.length;
      this.teamTags.set(teamId, tag);
    }
    return tag;
  }

  /**
   * Compiles every user in one pass over the grants: grants are bucketed by user (groups expanded
   * to their members) with a counting sort into typed arrays, then each user's record is written
   * straight into a pool of the right size.
   */
  rebuildAll(): void {
    this.roleBits.clear();
    this.keyBits.clear();
    this.expiring.clear();
    this.nextExpiry = Number.POSITIVE_INFINITY;
    const now = this.now();
    const users = this.state.users;
    const ids: string[] = [];
    const userNo = new Map<string, number>();
    for (const id in users) {
      if (!users[id]?.active) continue;
      userNo.set(id, ids.length);
      ids.push(id);
    }
    // Role numbers for the grants' roles: bits per role, computed once.
    const roleNo = new Map<string, number>();
    const roleList: PermissionBits[] = [];
    // (user, tag, role) per grant a user holds, directly or through a group; expiry per user.
    let cap = 1024;
    let gUser = new Int32Array(cap);
    let gTag = new Uint32Array(cap);
    let gRole = new Int32Array(cap);
    let n = 0;
    const expiry = new Float64Array(ids.length).fill(Number.POSITIVE_INFINITY);
    const perUser = new Int32Array(ids.length + 1);
    const groups = this.state.groups;
    const push = (u: number, tag: number, r: number, expiresAt: number | null): void => {
      if (n === cap) {
        cap *= 2;
        const grow = <T extends Int32Array | Uint32Array>(a: T, b: T): T => (b.set(a), b);
        gUser = grow(gUser, new Int32Array(cap));
        gTag = grow(gTag, new Uint32Array(cap));
        gRole = grow(gRole, new Int32Array(cap));
      }
      gUser[n] = u;
      gTag[n] = tag;
      gRole[n] = r;
      n++;
      perUser[u + 1]!++;
      if (expiresAt !== null && expiresAt < expiry[u]!) expiry[u] = expiresAt;
    };
    for (const id in this.state.grants) {
      const grant = this.state.grants[id]!;
      if (grant.expiresAt !== null && grant.expiresAt <= now) continue;
      let r = roleNo.get(grant.roleId);
      if (r === undefined) {
        r = roleList.length;
        roleList.push(this.bitsOfRole(grant.roleId));
        roleNo.set(grant.roleId, r);
      }
      const tag = grant.teamId === null ? GLOBAL_TAG : this.tagOf(grant.teamId);
      if (grant.subject.type === 'user') {
        const u = userNo.get(grant.subject.id);
        if (u !== undefined) push(u, tag, r, grant.expiresAt);
      } else {
        for (const m of groups[grant.subject.id]?.members ?? []) {
          const u = userNo.get(m);
          if (u !== undefined) push(u, tag, r, grant.expiresAt);
        }
      }
    }
    // Counting sort by user.
    for (let u = 0; u < ids.length; u++) perUser[u + 1]! += perUser[u]!;
    const order = new Int32Array(n);
    const fill = perUser.slice(0, ids.length);
    for (let k = 0; k < n; k++) order[fill[gUser[k]!]!++] = k;
    // Records: a user with g grants has at most 1 + g scopes.
    this.pool = new Uint32Array(ids.length * (1 + STRIDE) + n * STRIDE);
    this.end = 0;
    this.waste = 0;
    this.slots = new Map();
    for (let u = 0; u < ids.length; u++) {
      const from = perUser[u]!;
      const to = perUser[u + 1]!;
      let scopes = 1;
      const o = this.end;
      const pool = this.pool;
      pool.fill(0, o, o + 1 + STRIDE);
      for (let k = from; k < to; k++) {
        const g = order[k]!;
        const tag = gTag[g]!;
        let p = o + 1;
        for (let s = 0; s < scopes && pool[p] !== tag; s++) p += STRIDE;
        if (p === o + 1 + scopes * STRIDE && tag !== GLOBAL_TAG) {
          pool.fill(0, p, p + STRIDE);
          pool[p] = tag;
          scopes++;
        }
        const bits = roleList[gRole[g]!]!;
        for (let w = 0; w < WORDS; w++) pool[p + 1 + w]! |= bits[w]!;
      }
      pool[o] = scopes;
      this.orGlobalIntoTeams(pool, o);
      this.end = o + 1 + scopes * STRIDE;
      this.slots.set(ids[u]!, o);
      if (expiry[u]! !== Number.POSITIVE_INFINITY) {
        this.expiring.set(ids[u]!, expiry[u]!);
        this.nextExpiry = Math.min(this.nextExpiry, expiry[u]!);
      }
    }
  }

  /** Team scopes include the global grants. */
  private orGlobalIntoTeams(pool: Uint32Array, o: number): void {
    const scopes = pool[o]!;
    for (let s = 1, p = o + 1 + STRIDE; s < scopes; s++, p += STRIDE) for (let w = 0; w < WORDS; w++) pool[p + 1 + w]! |= pool[o + 2 + w]!;
  }

  /** Recompiles one user's record; cheap (a few grants, no allocation), so every grant change calls it. */
  rebuildUser(userId: string): void {
    const user = own(this.state.users, userId);
    this.expiring.delete(userId);
    const old = this.slots.get(userId);
    const oldSize = old === undefined ? 0 : 1 + this.pool[old]! * STRIDE;
    if (!user?.active) {
      if (old !== undefined) {
        this.slots.delete(userId);
        this.waste += oldSize;
      }
      return;
    }
    this.now0 = this.now();
    this.scratch.fill(0, 0, 1 + STRIDE);
    this.scratchScopes = 1;
    this.scratchExpiry = Number.POSITIVE_INFINITY;
    visitGrantsOfUser(this.state, userId, this.addToScratch);
    const rec = this.scratch;
    const scopes = this.scratchScopes;
    rec[0] = scopes;
    this.orGlobalIntoTeams(rec, 0);
    const size = 1 + scopes * STRIDE;
    let at: number;
    if (old !== undefined && size === oldSize) at = old;
    else {
      if (old !== undefined) this.waste += oldSize;
      if (this.end + size > this.pool.length) this.compact(size);
      at = this.end;
      this.slots.set(userId, at);
      this.end += size;
    }
    const pool = this.pool;
    for (let k = 0; k < size; k++) pool[at + k] = rec[k]!;
    const expiry = this.scratchExpiry;
    if (expiry !== Number.POSITIVE_INFINITY) {
      this.expiring.set(userId, expiry);
      this.nextExpiry = Math.min(this.nextExpiry, expiry);
    }
  }

  /** State of the record being compiled by `rebuildUser` (fields, so the visitor below is allocated once). */
  private now0 = 0;
  private scratchScopes = 1;
  private scratchExpiry = Number.POSITIVE_INFINITY;
  private readonly addToScratch = (grant: Grant): void => {
    if (grant.expiresAt !== null) {
      if (grant.expiresAt <= this.now0) return;
      if (grant.expiresAt < this.scratchExpiry) this.scratchExpiry = grant.expiresAt;
    }
    const tag = grant.teamId === null ? GLOBAL_TAG : this.tagOf(grant.teamId);
    let rec = this.scratch;
    const scopes = this.scratchScopes;
    let p = 1;
    for (let s = 0; s < scopes && rec[p] !== tag; s++) p += STRIDE;
    if (p === 1 + scopes * STRIDE && tag !== GLOBAL_TAG) {
      if (p + STRIDE > rec.length) {
        const bigger = new Uint32Array(rec.length * 2);
        bigger.set(rec);
        this.scratch = rec = bigger;
      }
      rec.fill(0, p, p + STRIDE);
      rec[p] = tag;
      this.scratchScopes = scopes + 1;
    }
    const bits = this.bitsOfRole(grant.roleId);
    for (let w = 0; w < WORDS; w++) rec[p + 1 + w]! |= bits[w]!;
  };

  /** Makes room for `extra` more words: drops unreferenced records, then grows if still short. */
  private compact(extra: number): void {
    const live = this.end - this.waste;
    const next = new Uint32Array(Math.max(64, (live + extra) * 2));
    let end = 0;
    for (const [u, o] of this.slots) {
      const size = 1 + this.pool[o]! * STRIDE;
      next.set(this.pool.subarray(o, o + size), end);
      this.slots.set(u, end);
      end += size;
    }
    this.pool = next;
    this.end = end;
    this.waste = 0;
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

  /** Offset of the scope's bit words in `pool` (-1: the user has no record). */
  private scopeAt(userId: string, teamId: string | null | undefined): number {
    if (this.nextExpiry !== Number.POSITIVE_INFINITY) {
      const now = this.now();
      if (now >= this.nextExpiry) this.refreshExpired(now);
    }
    const o = this.slots.get(userId);
    if (o === undefined) return -1;
    const pool = this.pool;
    const scopes = pool[o]!;
    if (scopes > 1 && teamId != null) {
      const tag = this.teamTags.get(teamId);
      if (tag !== undefined) for (let s = 1, p = o + 1 + STRIDE; s < scopes; s++, p += STRIDE) if (pool[p] === tag) return p + 1;
    }
    return o + 2;
  }

  /** The hot path: a map lookup, a few tag compares, one bit test. */
  can(userId: string, permission: Permission, teamId?: string | null): boolean {
    const at = this.scopeAt(userId, teamId);
    if (at < 0) return false;
    const i = PERMISSION_BIT.get(permission);
    return i !== undefined && (this.pool[at + (i >>> 5)]! & (1 << (i & 31))) !== 0;
  }

  /** The user's effective permission bits in a scope (global when teamId is null); a copy. */
  bits(userId: string, teamId: string | null): PermissionBits {
    const at = this.scopeAt(userId, teamId);
    return at < 0 ? NONE : this.pool.slice(at, at + WORDS);
  }

  /** Teams where the user holds a team grant (global grants reach every team). */
  teamsOf(userId: string): string[] {
    const o = this.slots.get(userId);
    if (o === undefined) return [];
    const out: string[] = [];
    for (let s = 1, p = o + 1 + STRIDE; s < this.pool[o]!; s++, p += STRIDE) out.push(this.teamIds[this.pool[p]! - 1]!);
    return out;
  }

  /** Words of the pool in use by live records (for tests and the benchmark). */
  get poolWords(): number {
    return this.end - this.waste;
  }

  /** Checks an API key: a frozen snapshot (api_key) or the owner's live permissions (personal token). */
  canKey(key: ApiKey, permission: Permission, teamId?: string | null): boolean {
    if (key.revokedAt !== null || !own(this.state.users, key.ownerId)?.active) return false;
    if (key.kind === 'personal_token' || key.snapshot === null) return this.can(key.ownerId, permission, teamId);
    return hasBit(this.keyScopeBits(key, teamId ?? null), permission);
  }

  keyScopeBits(key: ApiKey, teamId: string | null): PermissionBits {
    if (key.kind === 'personal_token' || key.snapshot === null) return this.bits(key.ownerId, teamId);
    let e: KeyEntry | undefined = this.keyBits.get(key.id);
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
    const user = own(this.state.users, userId);
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

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Mutex } from 'async-mutex';
import { z } from 'zod';
import type { VerifyResult } from './audit.js';
import { sealEvent, toJsonLines, verifyChain } from './audit.js';
import type { Decision } from './authz.js';
import { AuthzIndex } from './authz.js';
import * as C from './commands.js';
import type { Clock, IdSource, Logger } from './context.js';
import { redefinesRoles, usersTouched } from './event-meaning.js';
import { ForbiddenError, GatehouseError, NotFoundError, StorageConflictError, ValidationError } from './errors.js';
import type { AuditEvent, Commit, EventBody, RoleAssignment } from './events.js';
import { COMMIT_SCHEMA_VERSION, EventBodySchema } from './events.js';
import type { ApprovalType, Permission, PermissionBits } from './permissions.js';
import { APPROVAL_TYPES, PERMISSIONS, approvalPermission, bitsOf, closePermissions, hasBit, isSubset, permissionsOf } from './permissions.js';
import type { RoleDefinition } from './roles.js';
import { STATIC_ROLES, isStaticRoleId } from './roles.js';
import type {
  AccessRequest,
  AccountState,
  ApiKey,
  CustomRole,
  DeploymentRule,
  Grant,
  Group,
  Product,
  Release,
  Subject,
  User,
  Version,
} from './schemas.js';
import { activeAdmins, applyEvent, assignmentsOf, emptyState, grantsOfRole, grantsOfSubject, roleById, usersOfSubject } from './state.js';
import type { LogStore } from './store.js';

/** Who is acting: a user, optionally through an API key or token; or the system itself. */
export interface Actor {
  readonly userId: string;
  readonly keyId?: string | null;
}
export const SYSTEM: Actor = Object.freeze({ userId: 'system' });

export interface AccountContext {
  readonly store: LogStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** Write a snapshot every this many commits. */
  readonly snapshotEvery: number;
}

/** A committed change as listeners see it. `local` is false for changes replayed from another process. */
export interface CommitNotice {
  readonly accountId: string;
  readonly events: readonly AuditEvent[];
  readonly local: boolean;
}
export type CommitListener = (notice: CommitNotice, account: Account) => void;

/** Where a permission is asked: a team id, null (global), or an object whose team it is. */
export type Scope = string | null | { productId: string } | { versionId: string } | { releaseId: string } | { requestId: string };

function scopeTeam(s: AccountState, scope: Scope): string | null {
  if (scope === null || typeof scope === 'string') return scope;
  if ('requestId' in scope) {
    const r = Object.hasOwn(s.requests, scope.requestId) ? s.requests[scope.requestId] : undefined;
    if (!r) throw new NotFoundError('access request', scope.requestId);
    return r.teamId;
  }
  let productId: string;
  if ('productId' in scope) productId = scope.productId;
  else if ('versionId' in scope) {
    const v = Object.hasOwn(s.versions, scope.versionId) ? s.versions[scope.versionId] : undefined;
    if (!v) throw new NotFoundError('version', scope.versionId);
    productId = v.productId;
  } else {
    const r = Object.hasOwn(s.releases, scope.releaseId) ? s.releases[scope.releaseId] : undefined;
    if (!r) throw new NotFoundError('release', scope.releaseId);
    productId = r.productId;
  }
  const p = Object.hasOwn(s.products, productId) ? s.products[productId] : undefined;
  if (!p) throw new NotFoundError('product', productId);
  return p.teamId;
}

export interface RequirementStatus {
  type: ApprovalType;
  quorum: number;
  approvedBy: string[];
  rejectedBy: string[];
  /** Approvals still needed (0 when satisfied; quorum when rejected until the rejection is withdrawn). */
  missing: number;
  satisfied: boolean;
}
export interface Evaluation {
  versionId: string;
  environmentId: string;
  ready: boolean;
  rules: string[];
  separationOfDuties: boolean;
  requirements: RequirementStatus[];
  release: { required: boolean; releaseId: string | null; approved: boolean; approvedBy: string[]; rejectedBy: string[] } | null;
  /** Short descriptions of what is missing, e.g. `qa: 1 more approval`, `release approval`. */
  missing: string[];
}

export interface RoleChangeResult {
  grant: Grant | null;
  changed: boolean;
  /** `single_admin` while exactly one active Admin remains. */
  warnings: string[];
}

export interface CreatedKey {
  key: Omit<ApiKey, 'hash'>;
  /** Shown once; only its hash is stored. */
  secret: string;
}

export interface PendingApproval {
  version: Version;
  product: Product;
  environmentId: string;
  evaluation: Evaluation;
  /** Types this user may give now. */
  canGive: ApprovalType[];
}

export interface AccessReview {
  admins: string[];
  singleAdmin: boolean;
  inactiveUsers: { userId: string; lastSeen: number | null }[];
  expiringGrants: Grant[];
  unusedKeys: { keyId: string; ownerId: string; name: string; lastUsedAt: number | null }[];
  keysExceedingOwner: { keyId: string; ownerId: string; name: string; excess: string[] }[];
}

const KEY_PREFIX = 'ghk';
const TimeOnly = z.number().int().nonnegative();
const MAX_RETRIES = 50;
const DAY = 86_400_000;

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

type Decided<T> = { events: EventBody[]; result: T };

/**
 * One account: its state (rebuilt from the log), its compiled permission index and every command.
 * Commands decide against the current state, append one commit, then apply it. Writes are
 * serialised in-process by a mutex and across processes by the store's set-if-absent append:
 * a writer that loses the race re-reads the log and decides again, so invariants are checked
 * against the state the commit really follows.
 */
export class Account {
  private state: AccountState;
  private readonly index: AuthzIndex;
  private readonly mutex = new Mutex();
  private readonly listeners = new Set<CommitListener>();
  private lastSnapshotSeq = 0;
  private readonly keyUse = new Map<string, number>();
  private readonly userSeen = new Map<string, number>();
  private watchTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly id: string,
    private readonly ctx: AccountContext,
  ) {
    this.state = emptyState(id);
    this.index = new AuthzIndex(this.state, () => this.ctx.clock.now());
  }

  /** Loads from the newest snapshot and replays the log after it. */
  static async load(id: string, ctx: AccountContext): Promise<Account> {
    const a = new Account(id, ctx);
    const snap = await ctx.store.loadSnapshot(id);
    if (snap) {
      a.state = snap.state;
      a.lastSnapshotSeq = snap.seq;
    }
    const commits = await ctx.store.readCommits(id, a.state.seq);
    for (const c of commits) for (const e of c.events) applyEvent(a.state, e);
    a.index.reset(a.state);
    return a;
  }

  get exists(): boolean {
    return this.state.seq > 0;
  }
  get seq(): number {
    return this.state.seq;
  }
  /** Read-only view of the state. Do not mutate. */
  get view(): Readonly<AccountState> {
    return this.state;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.offCommit(listener);
  }

  offCommit(listener: CommitListener): void {
    this.listeners.delete(listener);
  }

  /** Polls the log for commits by other processes (Redis), so they show within `intervalMs`. */
  watch(intervalMs = 250): void {
    if (this.watchTimer) return;
    this.watchTimer = setInterval(() => {
      if (this.mutex.isLocked()) return;
      this.mutex
        .runExclusive(() => this.catchUp())
        .catch((err: unknown) => this.ctx.logger.error('catch-up failed', { account: this.id, err: String(err) }));
    }, intervalMs);
    this.watchTimer.unref();
  }

  stopWatching(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  /** Reads and applies commits written by others. Returns how many. */
  async refresh(): Promise<number> {
    return this.mutex.runExclusive(() => this.catchUp());
  }

  private async catchUp(): Promise<number> {
    const commits = await this.ctx.store.readCommits(this.id, this.state.seq);
    for (const c of commits) this.applyCommit(c, false);
    return commits.length;
  }

  private applyCommit(c: Commit, local: boolean): void {
    const affected = new Set<string>();
    let all = false;
    for (const e of c.events) {
      for (const u of usersTouched(this.state, e, 'before')) affected.add(u);
      all ||= redefinesRoles(e);
      applyEvent(this.state, e);
      for (const u of usersTouched(this.state, e, 'after')) affected.add(u);
    }
    if (all) this.index.rebuildAll();
    else for (const u of affected) this.index.rebuildUser(u);
    const notice: CommitNotice = { accountId: this.id, events: c.events, local };
    for (const l of this.listeners) {
      try {
        l(notice, this);
      } catch (err) {
        this.ctx.logger.error('commit listener failed', { account: this.id, err: String(err) });
      }
    }
  }

  /** The commit pipeline every command goes through. */
  private async commit<T>(actor: Actor, decide: (s: AccountState, now: number) => Decided<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      // With several processes (Redis) another may have written since we last looked.
      if (this.ctx.store.kind === 'redis') await this.catchUp();
      for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
        const now = this.ctx.clock.now();
        const { events, result } = decide(this.state, now);
        if (events.length === 0) return result;
        const seq = this.state.seq + 1;
        let prev = this.state.lastHash;
        const sealed = events.map((body, i) => {
          const checked = EventBodySchema.parse(body);
          const e = sealEvent(checked, { id: `${seq}.${i}`, seq, actor: actor.userId, keyId: actor.keyId ?? null, at: now, prev });
          prev = e.hash;
          return e;
        });
        const commit: Commit = { v: COMMIT_SCHEMA_VERSION, seq, events: sealed };
        if (await this.ctx.store.tryAppend(this.id, commit)) {
          this.applyCommit(commit, true);
          await this.maybeSnapshot();
          return result;
        }
        // Lost the race: read the winner's commit(s) and decide again against the new state.
        await this.catchUp();
      }
      throw new StorageConflictError(this.id, MAX_RETRIES);
    });
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.state.seq - this.lastSnapshotSeq < this.ctx.snapshotEvery) return;
    try {
      await this.ctx.store.saveSnapshot(this.id, { v: 1, seq: this.state.seq, state: this.state });
      this.lastSnapshotSeq = this.state.seq;
    } catch (err) {
      // The commit is durable already; a missing snapshot only costs replay time.
      this.ctx.logger.warn('snapshot failed', { account: this.id, err: String(err) });
    }
  }

  /** Forces a snapshot now (used at shutdown and by benchmarks). */
  async snapshot(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      await this.ctx.store.saveSnapshot(this.id, { v: 1, seq: this.state.seq, state: this.state });
      this.lastSnapshotSeq = this.state.seq;
    });
  }

  // ---------------------------------------------------------------- authorisation

  /** `can(user, permission, team?)`: compiled index only, never storage. */
  can(userId: string, permission: Permission, teamId?: string | null): boolean {
    return this.index.can(userId, permission, teamId);
  }

  /** As `can`, with the granting roles on allow and what is missing on deny. */
  explain(userId: string, permission: Permission, teamId: string | null = null): Decision {
    return this.index.explain(userId, permission, teamId);
  }

  /** Whether an actor (user, or user through a key) may do something. */
  actorCan(actor: Actor, permission: Permission, teamId: string | null = null): boolean {
    if (actor.userId === SYSTEM.userId) return true;
    if (actor.keyId) {
      const key = this.state.keys[actor.keyId];
      return !!key && key.ownerId === actor.userId && this.index.canKey(key, permission, teamId);
    }
    return this.index.can(actor.userId, permission, teamId);
  }

  /**
   * Refuses with a ForbiddenError carrying the denial facts unless the actor may do `permission`
   * in the scope: a team id, null (global), or an object whose team it is (a product, version,
   * release or access request; NotFoundError when it does not exist). The one pre-check for UIs.
   */
  assertCan(actor: Actor, permission: Permission, scope: Scope = null): void {
    this.require(actor, permission, scopeTeam(this.state, scope));
  }

  private require(actor: Actor, permission: Permission, teamId: string | null): void {
    if (this.actorCan(actor, permission, teamId)) return;
    const d = this.index.explain(actor.userId, permission, teamId);
    if (d.allowed) {
      // The user may, but the key they used may not (an API key's frozen permissions).
      throw new ForbiddenError({ userId: actor.userId, permission, teamId, grantingRoles: [], cause: 'key_scope' });
    }
    throw new ForbiddenError(d.denial);
  }

  private actorBits(actor: Actor, teamId: string | null): PermissionBits {
    if (actor.userId === SYSTEM.userId) return bitsOf(PERMISSIONS);
    if (actor.keyId) {
      const key = this.state.keys[actor.keyId];
      if (!key || key.ownerId !== actor.userId) return bitsOf([]);
      return this.index.keyScopeBits(key, teamId);
    }
    return this.index.bits(actor.userId, teamId);
  }

  /** Effective permissions of a user in a scope. */
  permissions(userId: string, teamId: string | null = null): Permission[] {
    return this.index.permissionsIn(userId, teamId);
  }

  /** Roles in force for a user, with scope, expiry and the group they came through. */
  roles(userId: string): RoleAssignment[] {
    return assignmentsOf(this.state, userId, this.ctx.clock.now());
  }

  /** Teams where the user has any grant (global grants reach every team). */
  teamsOf(userId: string): string[] {
    const fromGrants = new Set(this.roles(userId).flatMap((r) => (r.teamId ? [r.teamId] : [])));
    return [...fromGrants].sort();
  }

  role(roleId: string): RoleDefinition | undefined {
    return roleById(this.state, roleId);
  }

  listRoles(): RoleDefinition[] {
    return [...Object.values(STATIC_ROLES), ...Object.values(this.state.roles).sort((a, b) => a.name.localeCompare(b.name))];
  }

  /** Users holding a role (directly or via a group), with the scope of each grant. */
  holders(roleId: string): { userId: string; teamId: string | null; via: string | null; expiresAt: number | null }[] {
    const now = this.ctx.clock.now();
    const out: { userId: string; teamId: string | null; via: string | null; expiresAt: number | null }[] = [];
    for (const g of grantsOfRole(this.state, roleId)) {
      if (g.expiresAt !== null && g.expiresAt <= now) continue;
      for (const u of usersOfSubject(this.state, g.subject)) {
        if (this.state.users[u]?.active) out.push({ userId: u, teamId: g.teamId, via: g.subject.type === 'group' ? g.subject.id : null, expiresAt: g.expiresAt });
      }
    }
    return out;
  }

  admins(): string[] {
    return activeAdmins(this.state);
  }

  private warnings(s: AccountState): string[] {
    return activeAdmins(s).length === 1 ? ['single_admin'] : [];
  }

  // ---------------------------------------------------------------- helpers for deciding

  private user(s: AccountState, userId: string): User {
    const u = s.users[userId];
    if (!u) throw new NotFoundError('user', userId);
    return u;
  }
  private team(s: AccountState, teamId: string): void {
    if (!s.teams[teamId]) throw new NotFoundError('team', teamId);
  }
  private group(s: AccountState, groupId: string): Group {
    const g = s.groups[groupId];
    if (!g) throw new NotFoundError('group', groupId);
    return g;
  }
  private product(s: AccountState, id: string): Product {
    const p = s.products[id];
    if (!p) throw new NotFoundError('product', id);
    return p;
  }
  private version(s: AccountState, id: string): Version {
    const v = s.versions[id];
    if (!v) throw new NotFoundError('version', id);
    return v;
  }
  private release(s: AccountState, id: string): Release {
    const r = s.releases[id];
    if (!r) throw new NotFoundError('release', id);
    return r;
  }
  private roleDef(s: AccountState, id: string): RoleDefinition {
    const r = roleById(s, id);
    if (!r) throw new NotFoundError('role', id);
    return r;
  }
  /** Team a product-bound environment belongs to (null = account-wide). */
  private envTeam(s: AccountState, environmentId: string): string | null {
    const env = s.environments[environmentId];
    if (!env) throw new NotFoundError('environment', environmentId);
    return env.productId ? this.product(s, env.productId).teamId : null;
  }

  /** Role assignments of every user a change touches, before and after it. */
  private roleDiff(s: AccountState, users: Iterable<string>, after: (userId: string) => RoleAssignment[]) {
    const now = this.ctx.clock.now();
    return [...new Set(users)].map((userId) => ({ userId, before: assignmentsOf(s, userId, now), after: after(userId) }));
  }

  /**
   * Governance rules 1–3 for granting a role: the actor holds user_role:manage in the scope,
   * does not change their own roles, and holds every permission the role carries there.
   */
  private checkCanGrant(s: AccountState, actor: Actor, subject: Subject, role: RoleDefinition, teamId: string | null): void {
    this.require(actor, 'user_role:manage', teamId);
    if (actor.userId === SYSTEM.userId) return;
    const affected = usersOfSubject(s, subject);
    if (affected.includes(actor.userId)) {
      throw new GatehouseError('self_change', 'nobody changes their own roles: ask another administrator', {
        userId: actor.userId,
        roleId: role.id,
      });
    }
    const roleBits = bitsOf(closePermissions(role.permissions));
    const mine = this.actorBits(actor, teamId);
    const isGlobalAdmin = actor.keyId ? false : s.users[actor.userId]?.active === true && this.hasGlobalAdmin(s, actor.userId);
    if (role.id === 'admin' ? !isGlobalAdmin : !isSubset(roleBits, mine)) {
      const missing = permissionsOf(roleBits).filter((p) => !hasBit(mine, p));
      throw new GatehouseError(
        'escalation',
        role.id === 'admin' ? 'only an Admin makes an Admin' : `you cannot grant ${role.name}: it holds permissions you do not hold`,
        { roleId: role.id, teamId, missing },
      );
    }
  }

  private hasGlobalAdmin(s: AccountState, userId: string): boolean {
    const now = this.ctx.clock.now();
    return assignmentsOf(s, userId, now).some((a) => a.roleId === 'admin' && a.teamId === null);
  }

  /** Governance rule 4: refuse a change that would leave no active Admin. */
  private keepAnAdmin(s: AccountState, without: Parameters<typeof activeAdmins>[1]): void {
    const before = activeAdmins(s);
    if (before.length === 0) return;
    if (activeAdmins(s, without).length === 0) {
      throw new GatehouseError('last_admin', `the account must keep at least one active Admin (${before.join(', ')} is the last): make another Admin first`, {
        admins: before,
      });
    }
  }

  private notSelf(actor: Actor, userId: string): void {
    if (actor.userId === userId && actor.userId !== SYSTEM.userId) {
      throw new GatehouseError('self_change', 'nobody changes their own roles or status: ask another administrator', { userId });
    }
  }

  // ---------------------------------------------------------------- account & users

  /** Creates the account with its default team and first Admin(s) (bootstrap; system actor). */
  async create(input: { name: string; admins: { userId: string; name?: string; email?: string | null }[]; defaultRoleId?: string }): Promise<void> {
    await this.commit(SYSTEM, (s, now) => {
      if (s.seq > 0) return { events: [], result: undefined };
      if (input.admins.length === 0) throw new ValidationError('an account needs at least one Admin', [{ path: 'admins', message: 'empty' }]);
      const defaultTeam = { id: 'general', name: 'General', createdAt: now };
      const settings = { ...s.settings, defaultRoleId: input.defaultRoleId ?? 'viewer', defaultTeamId: defaultTeam.id };
      const events: EventBody[] = [{ type: 'account.created', data: { name: input.name, settings, defaultTeam } }];
      for (const a of input.admins) {
        const admin = parse(C.EnsureUserInput, { userId: a.userId, name: a.name ?? '', email: a.email ?? null });
        const user: User = { id: admin.userId, name: admin.name, email: admin.email, active: true, serviceAccount: false, createdAt: now };
        const grant: Grant = { id: this.ctx.ids.next('grant'), subject: { type: 'user', id: user.id }, roleId: 'admin', teamId: null, expiresAt: null, grantedBy: SYSTEM.userId, grantedAt: now, requestId: null };
        events.push({ type: 'user.added', data: { user } });
        events.push({ type: 'grant.created', data: { grant, roles: [{ userId: user.id, before: [], after: [{ roleId: 'admin', teamId: null, expiresAt: null, via: null }] }] } });
      }
      return { events, result: undefined };
    });
  }

  /**
   * Makes sure a user exists: a newcomer lands in the default team with the default role.
   * Known users get their name/email refreshed when they changed.
   */
  async ensureUser(input: C.Input<typeof C.EnsureUserInput>): Promise<User> {
    const i = parse(C.EnsureUserInput, input);
    const known = this.state.users[i.userId];
    if (known && (known.name === i.name || !i.name) && (known.email === i.email || i.email === null)) return known;
    return this.commit(SYSTEM, (s, now) => {
      const existing = s.users[i.userId];
      if (existing) {
        const after = { ...existing, name: i.name || existing.name, email: i.email ?? existing.email };
        if (after.name === existing.name && after.email === existing.email) return { events: [], result: existing };
        return { events: [{ type: 'user.updated', data: { userId: i.userId, before: existing, after } }], result: after };
      }
      const user: User = { id: i.userId, name: i.name, email: i.email, active: true, serviceAccount: i.serviceAccount, createdAt: now };
      const { defaultRoleId, defaultTeamId } = s.settings;
      const grant: Grant = { id: this.ctx.ids.next('grant'), subject: { type: 'user', id: user.id }, roleId: defaultRoleId, teamId: defaultTeamId, expiresAt: null, grantedBy: SYSTEM.userId, grantedAt: now, requestId: null };
      return {
        events: [
          { type: 'user.added', data: { user } },
          { type: 'grant.created', data: { grant, roles: [{ userId: user.id, before: [], after: [{ roleId: defaultRoleId, teamId: defaultTeamId, expiresAt: null, via: null }] }] } },
        ],
        result: user,
      };
    });
  }

  async deactivateUser(actor: Actor, input: C.Input<typeof C.UserRefInput>): Promise<RoleChangeResult> {
    const { userId } = parse(C.UserRefInput, input);
    return this.commit<RoleChangeResult>(actor, (s) => {
      this.require(actor, 'user_role:manage', null);
      this.notSelf(actor, userId);
      const u = this.user(s, userId);
      if (!u.active) return { events: [], result: { grant: null, changed: false, warnings: this.warnings(s) } };
      this.keepAnAdmin(s, { userIds: [userId] });
      const roles = this.roleDiff(s, [userId], () => []);
      return { events: [{ type: 'user.deactivated', data: { userId, roles } }], result: { grant: null, changed: true, warnings: [] } };
    });
  }

  async reactivateUser(actor: Actor, input: C.Input<typeof C.UserRefInput>): Promise<void> {
    const { userId } = parse(C.UserRefInput, input);
    await this.commit(actor, (s) => {
      this.require(actor, 'user_role:manage', null);
      this.notSelf(actor, userId);
      const u = this.user(s, userId);
      return { events: u.active ? [] : [{ type: 'user.reactivated', data: { userId } }], result: undefined };
    });
  }

  async updateSettings(actor: Actor, input: C.Input<typeof C.UpdateSettingsInput>): Promise<void> {
    const i = parse(C.UpdateSettingsInput, input);
    await this.commit(actor, (s) => {
      this.require(actor, 'user_role:manage', null);
      const after = { ...s.settings };
      if (i.defaultRoleId !== undefined) {
        const role = this.roleDef(s, i.defaultRoleId);
        if (role.id === 'admin') throw new GatehouseError('escalation', 'the default role for newcomers cannot be Admin', { roleId: role.id });
        after.defaultRoleId = role.id;
      }
      if (i.defaultTeamId !== undefined) {
        this.team(s, i.defaultTeamId);
        after.defaultTeamId = i.defaultTeamId;
      }
      if (i.defaultChannel !== undefined) after.defaultChannel = i.defaultChannel;
      if (i.maxAccessDurationMs !== undefined) after.maxAccessDurationMs = i.maxAccessDurationMs;
      const defaultRole = this.roleDef(s, after.defaultRoleId);
      if (defaultRole.scope === 'global' && defaultRole.kind === 'custom') {
        throw new GatehouseError('role_scope', 'the default role is granted in the default team, so it must be a static or team-scoped role', { roleId: defaultRole.id });
      }
      return { events: [{ type: 'account.settings_changed', data: { before: s.settings, after } }], result: undefined };
    });
  }

  // ---------------------------------------------------------------- teams & groups

  async createTeam(actor: Actor, input: C.Input<typeof C.CreateTeamInput>): Promise<{ teamId: string }> {
    const i = parse(C.CreateTeamInput, input);
    return this.commit(actor, (s, now) => {
      this.require(actor, 'team:manage', null);
      const id = i.teamId ?? this.ctx.ids.next('team');
      if (s.teams[id]) throw new GatehouseError('conflict', `team '${id}' already exists`, { teamId: id });
      return { events: [{ type: 'team.created', data: { team: { id, name: i.name, createdAt: now } } }], result: { teamId: id } };
    });
  }

  async createGroup(actor: Actor, input: C.Input<typeof C.CreateGroupInput>): Promise<{ groupId: string }> {
    const i = parse(C.CreateGroupInput, input);
    return this.commit(actor, (s, now) => {
      this.require(actor, 'user_role:manage', null);
      const id = i.groupId ?? this.ctx.ids.next('group');
      if (s.groups[id]) throw new GatehouseError('conflict', `group '${id}' already exists`, { groupId: id });
      for (const m of i.members) this.user(s, m);
      const group: Group = { id, name: i.name, members: [...new Set(i.members)], createdAt: now };
      return { events: [{ type: 'group.created', data: { group } }], result: { groupId: id } };
    });
  }

  /** Adding someone to a group grants them its roles: rules 1–3 apply for each of them. */
  async addGroupMember(actor: Actor, input: C.Input<typeof C.GroupMemberInput>): Promise<RoleChangeResult> {
    const { groupId, userId } = parse(C.GroupMemberInput, input);
    return this.commit<RoleChangeResult>(actor, (s, now) => {
      this.require(actor, 'user_role:manage', null);
      const g = this.group(s, groupId);
      this.user(s, userId);
      if (g.members.includes(userId)) return { events: [], result: { grant: null, changed: false, warnings: this.warnings(s) } };
      this.notSelf(actor, userId);
      for (const grant of grantsOfSubject(s, { type: 'group', id: groupId })) {
        this.checkCanGrant(s, actor, { type: 'user', id: userId }, this.roleDef(s, grant.roleId), grant.teamId);
      }
      const after = assignmentsOf(s, userId, now, { joinGroup: groupId });
      const roles = this.roleDiff(s, [userId], () => after);
      return { events: [{ type: 'group.member_added', data: { groupId, userId, roles } }], result: { grant: null, changed: true, warnings: this.warnings(s) } };
    });
  }

  async removeGroupMember(actor: Actor, input: C.Input<typeof C.GroupMemberInput>): Promise<RoleChangeResult> {
    const { groupId, userId } = parse(C.GroupMemberInput, input);
    return this.commit<RoleChangeResult>(actor, (s, now) => {
      this.require(actor, 'user_role:manage', null);
      const g = this.group(s, groupId);
      if (!g.members.includes(userId)) return { events: [], result: { grant: null, changed: false, warnings: this.warnings(s) } };
      this.notSelf(actor, userId);
      this.keepAnAdmin(s, { membership: { groupId, userId } });
      const after = assignmentsOf(s, userId, now, { leaveGroup: groupId });
      const roles = this.roleDiff(s, [userId], () => after);
      const warnings = activeAdmins(s, { membership: { groupId, userId } }).length === 1 ? ['single_admin'] : [];
      return { events: [{ type: 'group.member_removed', data: { groupId, userId, roles } }], result: { grant: null, changed: true, warnings } };
    });
  }

  async deleteGroup(actor: Actor, input: C.Input<typeof C.GroupRefInput>): Promise<void> {
    const { groupId } = parse(C.GroupRefInput, input);
    await this.commit(actor, (s, now) => {
      this.require(actor, 'user_role:manage', null);
      const g = this.group(s, groupId);
      if (g.members.includes(actor.userId)) this.notSelf(actor, actor.userId);
      const grantIds = grantsOfSubject(s, { type: 'group', id: groupId }).map((x) => x.id);
      this.keepAnAdmin(s, { grantIds });
      const roles = g.members.map((userId) => ({
        userId,
        before: assignmentsOf(s, userId, now),
        after: assignmentsOf(s, userId, now, { leaveGroup: groupId }),
      }));
      return { events: [{ type: 'group.deleted', data: { group: g, roles } }], result: undefined };
    });
  }

  // ---------------------------------------------------------------- custom roles

  private checkRolePermissions(actor: Actor, permissions: readonly Permission[]): void {
    const mine = this.actorBits(actor, null);
    const missing = [...closePermissions(permissions)].filter((p) => !hasBit(mine, p));
    if (missing.length) {
      throw new GatehouseError('escalation', `a role cannot carry permissions you do not hold yourself: ${missing.join(', ')}`, { missing });
    }
  }

  private uniqueRoleName(s: AccountState, name: string, except?: string): void {
    const taken = [...Object.values(STATIC_ROLES), ...Object.values(s.roles)].find((r) => r.id !== except && r.name.toLowerCase() === name.toLowerCase());
    if (taken) throw new GatehouseError('conflict', `a role named '${taken.name}' already exists`, { roleId: taken.id });
  }

  async createRole(actor: Actor, input: C.Input<typeof C.CreateRoleInput>): Promise<CustomRole> {
    const i = parse(C.CreateRoleInput, input);
    return this.commit(actor, (s, now) => {
      this.require(actor, 'role:manage', null);
      this.uniqueRoleName(s, i.name);
      this.checkRolePermissions(actor, i.permissions);
      const role: CustomRole = {
        id: this.ctx.ids.next('role'),
        name: i.name,
        description: i.description,
        scope: i.scope,
        kind: 'custom',
        permissions: PERMISSIONS.filter((p) => i.permissions.includes(p)),
        createdAt: now,
      };
      return { events: [{ type: 'role.created', data: { role } }], result: role };
    });
  }

  /** Edit or rename a custom role. Static roles are immutable (rule 5). */
  async updateRole(actor: Actor, input: C.Input<typeof C.UpdateRoleInput>): Promise<CustomRole> {
    const i = parse(C.UpdateRoleInput, input);
    return this.commit(actor, (s) => {
      this.require(actor, 'role:manage', null);
      if (isStaticRoleId(i.roleId)) throw new GatehouseError('static_role_immutable', `${STATIC_ROLES[i.roleId].name} is a static role: it cannot be edited, renamed or deleted; create a custom role instead`, { roleId: i.roleId });
      const before = s.roles[i.roleId];
      if (!before) throw new NotFoundError('role', i.roleId);
      if (i.name !== undefined) this.uniqueRoleName(s, i.name, before.id);
      if (i.permissions) this.checkRolePermissions(actor, i.permissions);
      // Editing a granted role changes what its holders may do: the editor must be able to grant it.
      this.checkRolePermissions(actor, before.permissions);
      const after: CustomRole = {
        ...before,
        name: i.name ?? before.name,
        description: i.description ?? before.description,
        scope: i.scope ?? before.scope,
        permissions: i.permissions ? PERMISSIONS.filter((p) => i.permissions?.includes(p)) : before.permissions,
      };
      if (after.scope === 'team' && before.scope === 'global') {
        const global = grantsOfRole(s, before.id).filter((g) => g.teamId === null);
        if (global.length) throw new GatehouseError('role_scope', `'${before.name}' is granted globally ${global.length} time(s): revoke those grants before making it team-scoped`, { grants: global.map((g) => g.id) });
      }
      if (after.scope === 'global' && before.scope === 'team') {
        const team = grantsOfRole(s, before.id).filter((g) => g.teamId !== null);
        if (team.length) throw new GatehouseError('role_scope', `'${before.name}' is granted in teams ${team.length} time(s): revoke those grants before making it global`, { grants: team.map((g) => g.id) });
      }
      if (JSON.stringify(after) === JSON.stringify(before)) return { events: [], result: before };
      return { events: [{ type: 'role.updated', data: { before, after } }], result: after };
    });
  }

  async deleteRole(actor: Actor, input: C.Input<typeof C.RoleRefInput>): Promise<void> {
    const { roleId } = parse(C.RoleRefInput, input);
    await this.commit(actor, (s) => {
      this.require(actor, 'role:manage', null);
      if (isStaticRoleId(roleId)) throw new GatehouseError('static_role_immutable', `${STATIC_ROLES[roleId].name} is a static role and cannot be deleted`, { roleId });
      const role = s.roles[roleId];
      if (!role) throw new NotFoundError('role', roleId);
      const grants = grantsOfRole(s, roleId);
      if (grants.length) {
        const holders = grants.map((g) => ({ subject: g.subject, teamId: g.teamId }));
        throw new GatehouseError('role_in_use', `'${role.name}' is still granted to ${holders.map((h) => `${h.subject.type} ${h.subject.id}`).join(', ')}: revoke those grants first`, { holders });
      }
      if (s.settings.defaultRoleId === roleId) throw new GatehouseError('role_in_use', `'${role.name}' is the default role for newcomers: change the default first`, { holders: [] });
      return { events: [{ type: 'role.deleted', data: { role } }], result: undefined };
    });
  }

  // ---------------------------------------------------------------- grants

  /** Grants a role to a user or group, globally or in a team, optionally time-bound. */
  async assignRole(actor: Actor, input: C.Input<typeof C.AssignRoleInput>): Promise<RoleChangeResult> {
    const i = parse(C.AssignRoleInput, input);
    return this.commit<RoleChangeResult>(actor, (s, now) => {
      const role = this.roleDef(s, i.roleId);
      if (i.teamId !== null) this.team(s, i.teamId);
      if (role.kind === 'custom' && (role.scope === 'team') !== (i.teamId !== null)) {
        throw new GatehouseError('role_scope', role.scope === 'team' ? `'${role.name}' is a team role: name the team to grant it in` : `'${role.name}' is a global role: grant it without a team`, { roleId: role.id, scope: role.scope });
      }
      if (i.subject.type === 'user') {
        const u = this.user(s, i.subject.id);
        if (!u.active) throw new GatehouseError('user_inactive', `${u.id} is deactivated: reactivate them first`, { userId: u.id });
      } else this.group(s, i.subject.id);
      this.checkCanGrant(s, actor, i.subject, role, i.teamId);
      const expiresAt = i.durationMs !== undefined ? now + i.durationMs : i.expiresAt;
      if (expiresAt !== null && expiresAt <= now) throw new ValidationError('expiresAt is in the past', [{ path: 'expiresAt', message: 'must be in the future' }]);
      const existing = grantsOfSubject(s, i.subject).find((g) => g.roleId === role.id && g.teamId === i.teamId);
      if (existing && existing.expiresAt === expiresAt) return { events: [], result: { grant: existing, changed: false, warnings: this.warnings(s) } };
      const grant: Grant = { id: this.ctx.ids.next('grant'), subject: i.subject, roleId: role.id, teamId: i.teamId, expiresAt, grantedBy: actor.userId, grantedAt: now, requestId: null };
      const users = usersOfSubject(s, i.subject);
      const delta = { addGrants: [grant], removeGrantIds: existing ? [existing.id] : [] };
      const roles = users.map((userId) => ({ userId, before: assignmentsOf(s, userId, now), after: assignmentsOf(s, userId, now, delta) }));
      const events: EventBody[] = [];
      if (existing) {
        // Replacing a grant with another expiry: a permanent Admin becoming time-bound counts as losing one.
        this.keepAnAdmin(s, { grantIds: expiresAt === null ? [] : [existing.id] });
        events.push({ type: 'grant.revoked', data: { grant: existing, roles: [] } });
      }
      events.push({ type: 'grant.created', data: { grant, roles } });
      return { events, result: { grant, changed: true, warnings: this.warnings(s) } };
    });
  }

  async revokeRole(actor: Actor, input: C.Input<typeof C.RevokeRoleInput>): Promise<RoleChangeResult> {
    const i = parse(C.RevokeRoleInput, input);
    return this.commit(actor, (s, now) => {
      const grant =
        'grantId' in i
          ? s.grants[i.grantId]
          : grantsOfSubject(s, i.subject).find((g) => g.roleId === i.roleId && g.teamId === i.teamId);
      if (!grant) {
        if ('grantId' in i) throw new NotFoundError('grant', i.grantId);
        const where = i.teamId ? `in team ${i.teamId}` : 'globally';
        throw new GatehouseError('not_found', `${i.subject.type} ${i.subject.id} does not hold ${i.roleId} ${where}`, { ...i });
      }
      this.require(actor, 'user_role:manage', grant.teamId);
      const users = usersOfSubject(s, grant.subject);
      if (users.includes(actor.userId)) this.notSelf(actor, actor.userId);
      this.keepAnAdmin(s, { grantIds: [grant.id] });
      const roles = users.map((userId) => ({
        userId,
        before: assignmentsOf(s, userId, now),
        after: assignmentsOf(s, userId, now, { removeGrantIds: [grant.id] }),
      }));
      const warnings = activeAdmins(s, { grantIds: [grant.id] }).length === 1 ? ['single_admin'] : [];
      return { events: [{ type: 'grant.revoked', data: { grant, roles } }], result: { grant, changed: true, warnings } };
    });
  }

  /** Removes grants whose expiry has passed and logs each; they stopped counting at expiry already. */
  async sweepExpired(): Promise<Grant[]> {
    return this.commit(SYSTEM, (s, now) => {
      const expired = Object.values(s.grants).filter((g) => g.expiresAt !== null && g.expiresAt <= now);
      const events: EventBody[] = expired.map((grant) => ({
        type: 'grant.expired',
        data: {
          grant,
          roles: usersOfSubject(s, grant.subject).map((userId) => ({
            userId,
            before: [...assignmentsOf(s, userId, now), { roleId: grant.roleId, teamId: grant.teamId, expiresAt: grant.expiresAt, via: grant.subject.type === 'group' ? grant.subject.id : null }],
            after: assignmentsOf(s, userId, now),
          })),
        },
      }));
      return { events, result: expired };
    });
  }

  // ---------------------------------------------------------------- products, environments, rules

  async createProduct(actor: Actor, input: C.Input<typeof C.CreateProductInput>): Promise<Product> {
    const i = parse(C.CreateProductInput, input);
    return this.commit(actor, (s, now) => {
      this.team(s, i.teamId);
      this.require(actor, 'product:create', i.teamId);
      const id = i.productId ?? this.ctx.ids.next('prod');
      if (s.products[id]) throw new GatehouseError('conflict', `product '${id}' already exists`, { productId: id });
      const product: Product = { id, name: i.name, teamId: i.teamId, channel: i.channel, createdAt: now };
      return { events: [{ type: 'product.created', data: { product } }], result: product };
    });
  }

  async updateProduct(actor: Actor, input: C.Input<typeof C.UpdateProductInput>): Promise<Product> {
    const i = parse(C.UpdateProductInput, input);
    return this.commit(actor, (s) => {
      const before = this.product(s, i.productId);
      this.require(actor, 'product:edit', before.teamId);
      const after = { ...before, name: i.name ?? before.name, channel: i.channel === undefined ? before.channel : i.channel };
      return { events: [{ type: 'product.updated', data: { before, after } }], result: after };
    });
  }

  async createEnvironment(actor: Actor, input: C.Input<typeof C.CreateEnvironmentInput>) {
    const i = parse(C.CreateEnvironmentInput, input);
    return this.commit(actor, (s, now) => {
      const teamId = i.productId ? this.product(s, i.productId).teamId : null;
      this.require(actor, 'environment:create', teamId);
      const id = i.environmentId ?? this.ctx.ids.next('env');
      if (s.environments[id]) throw new GatehouseError('conflict', `environment '${id}' already exists`, { environmentId: id });
      const environment = { id, name: i.name, productId: i.productId, production: i.production, createdAt: now };
      return { events: [{ type: 'environment.created', data: { environment } }], result: environment };
    });
  }

  async updateEnvironment(actor: Actor, input: C.Input<typeof C.UpdateEnvironmentInput>) {
    const i = parse(C.UpdateEnvironmentInput, input);
    return this.commit(actor, (s) => {
      const before = s.environments[i.environmentId];
      if (!before) throw new NotFoundError('environment', i.environmentId);
      this.require(actor, 'environment:edit', this.envTeam(s, before.id));
      const after = { ...before, name: i.name ?? before.name, production: i.production ?? before.production };
      return { events: [{ type: 'environment.updated', data: { before, after } }], result: after };
    });
  }

  private ruleTeam(s: AccountState, environmentId: string, productId: string | null): string | null {
    const envTeam = this.envTeam(s, environmentId);
    if (productId) {
      const p = this.product(s, productId);
      const env = s.environments[environmentId];
      if (env?.productId && env.productId !== productId) throw new ValidationError(`environment ${environmentId} belongs to another product`, [{ path: 'productId', message: 'mismatch' }]);
      return p.teamId;
    }
    return envTeam;
  }

  async createRule(actor: Actor, input: C.Input<typeof C.CreateRuleInput>): Promise<DeploymentRule> {
    const i = parse(C.CreateRuleInput, input);
    return this.commit(actor, (s, now) => {
      this.require(actor, 'deployment_rule:manage', this.ruleTeam(s, i.environmentId, i.productId));
      const rule: DeploymentRule = { id: this.ctx.ids.next('rule'), ...i, createdAt: now };
      return { events: [{ type: 'rule.created', data: { rule } }], result: rule };
    });
  }

  async updateRule(actor: Actor, input: C.Input<typeof C.UpdateRuleInput>): Promise<DeploymentRule> {
    const i = parse(C.UpdateRuleInput, input);
    return this.commit(actor, (s) => {
      const before = s.rules[i.ruleId];
      if (!before) throw new NotFoundError('deployment rule', i.ruleId);
      this.require(actor, 'deployment_rule:manage', this.ruleTeam(s, before.environmentId, before.productId));
      const after: DeploymentRule = {
        ...before,
        requirements: i.requirements ?? before.requirements,
        requireReleaseApproval: i.requireReleaseApproval ?? before.requireReleaseApproval,
        separationOfDuties: i.separationOfDuties ?? before.separationOfDuties,
      };
      return { events: [{ type: 'rule.updated', data: { before, after } }], result: after };
    });
  }

  async deleteRule(actor: Actor, input: C.Input<typeof C.RuleRefInput>): Promise<void> {
    const { ruleId } = parse(C.RuleRefInput, input);
    await this.commit(actor, (s) => {
      const rule = s.rules[ruleId];
      if (!rule) throw new NotFoundError('deployment rule', ruleId);
      this.require(actor, 'deployment_rule:delete', this.ruleTeam(s, rule.environmentId, rule.productId));
      return { events: [{ type: 'rule.deleted', data: { rule } }], result: undefined };
    });
  }

  // ---------------------------------------------------------------- versions & approvals

  /** Registers a version; idempotent for CI retries (the same product and version string returns the existing one). */
  async createVersion(actor: Actor, input: C.Input<typeof C.CreateVersionInput>): Promise<{ version: Version; created: boolean }> {
    const i = parse(C.CreateVersionInput, input);
    return this.commit<{ version: Version; created: boolean }>(actor, (s, now) => {
      const product = this.product(s, i.productId);
      this.require(actor, 'version:create', product.teamId);
      const existing = Object.values(s.versions).find((v) => v.productId === product.id && v.version === i.version);
      if (existing) return { events: [], result: { version: existing, created: false } };
      const version: Version = { id: this.ctx.ids.next('ver'), productId: product.id, version: i.version, createdBy: actor.userId, createdAt: now, releaseId: null, decisions: [], requestedFor: [], message: null };
      const events: EventBody[] = [{ type: 'version.created', data: { version } }];
      if (i.releaseId) {
        const r = this.releaseForChange(s, i.releaseId, product.id);
        this.require(actor, 'release:create', product.teamId);
        events.push({ type: 'release.version_added', data: { releaseId: r.id, versionId: version.id, previousReleaseId: null } });
      }
      return { events, result: { version: { ...version, releaseId: i.releaseId }, created: true } };
    });
  }

  private releaseForChange(s: AccountState, releaseId: string, productId: string): Release {
    const r = this.release(s, releaseId);
    if (r.productId !== productId) throw new ValidationError(`release ${releaseId} belongs to another product`, [{ path: 'releaseId', message: 'mismatch' }]);
    if (r.archived) throw new GatehouseError('release_archived', `release '${r.name}' is archived: restore it first`, { releaseId });
    if (r.locked) throw new GatehouseError('release_locked', `release '${r.name}' is locked: unlock it first`, { releaseId });
    return r;
  }

  /** Asks for approval of a version for an environment (the Slack bot then posts the message). */
  async requestApproval(actor: Actor, input: C.Input<typeof C.RequestApprovalInput>): Promise<Evaluation> {
    const i = parse(C.RequestApprovalInput, input);
    return this.commit(actor, (s) => {
      const v = this.version(s, i.versionId);
      const p = this.product(s, v.productId);
      this.require(actor, 'version:create', p.teamId);
      this.envFor(s, i.environmentId, p.id);
      const evaluation = this.evaluateIn(s, v.id, i.environmentId);
      if (v.requestedFor.includes(i.environmentId)) return { events: [], result: evaluation };
      return { events: [{ type: 'version.approval_requested', data: { versionId: v.id, environmentId: i.environmentId } }], result: evaluation };
    });
  }

  private envFor(s: AccountState, environmentId: string, productId: string) {
    const env = s.environments[environmentId];
    if (!env) throw new NotFoundError('environment', environmentId);
    if (env.productId !== null && env.productId !== productId) throw new ValidationError(`environment ${env.name} belongs to another product`, [{ path: 'environmentId', message: 'mismatch' }]);
    return env;
  }

  /** Records where the approval message lives (set by the Slack bot). */
  async linkMessage(actor: Actor, input: C.Input<typeof C.LinkMessageInput>): Promise<void> {
    const i = parse(C.LinkMessageInput, input);
    await this.commit(actor, (s) => {
      this.version(s, i.versionId);
      if (actor.userId !== SYSTEM.userId) throw new GatehouseError('forbidden', 'only the system links messages', {});
      return { events: [{ type: 'version.message_linked', data: { versionId: i.versionId, message: i.message } }], result: undefined };
    });
  }

  /** Whether separation of duties applies to a version: on unless every rule for its product switches it off. */
  private sodApplies(s: AccountState, v: Version): boolean {
    const rules = Object.values(s.rules).filter((r) => r.productId === null || r.productId === v.productId);
    return rules.length === 0 || rules.some((r) => r.separationOfDuties);
  }

  /**
   * Approve or reject a version for one approval type. Idempotent: repeating an approver's latest
   * decision records nothing, so double clicks and retried requests cannot duplicate it.
   */
  async decideVersion(actor: Actor, input: C.Input<typeof C.DecideVersionInput>): Promise<{ changed: boolean; version: Version; evaluations: Evaluation[] }> {
    const i = parse(C.DecideVersionInput, input);
    return this.commit<{ changed: boolean; version: Version; evaluations: Evaluation[] }>(actor, (s) => {
      const v = this.version(s, i.versionId);
      const p = this.product(s, v.productId);
      this.require(actor, approvalPermission(i.approvalType), p.teamId);
      if (v.releaseId && s.releases[v.releaseId]?.archived) throw new GatehouseError('release_archived', 'the version belongs to an archived release: restore it first', { releaseId: v.releaseId });
      if (v.createdBy === actor.userId && this.sodApplies(s, v)) {
        throw new GatehouseError('separation_of_duties', 'the creator of a version cannot approve it: ask another approver', { versionId: v.id, createdBy: v.createdBy });
      }
      const previous = v.decisions.find((d) => d.approverId === actor.userId && d.type === i.approvalType) ?? null;
      const evaluations = () => v.requestedFor.map((env) => this.evaluateIn(s, v.id, env));
      if (previous && previous.decision === i.decision && (i.decision === 'approve' || previous.reason === i.reason)) {
        return { events: [], result: { changed: false, version: v, evaluations: evaluations() } };
      }
      const body: EventBody = {
        type: 'version.decided',
        data: { versionId: v.id, approvalType: i.approvalType, decision: i.decision, reason: i.reason, approverId: actor.userId, previous: previous?.decision ?? null },
      };
      // Evaluate against the state as it will be after this decision.
      const draft: Version = {
        ...v,
        decisions: [...v.decisions.filter((d) => !(d.approverId === actor.userId && d.type === i.approvalType)), { approverId: actor.userId, type: i.approvalType, decision: i.decision, reason: i.reason, at: this.ctx.clock.now() }],
      };
      return { events: [body], result: { changed: true, version: draft, evaluations: v.requestedFor.map((env) => this.evaluateIn(s, v.id, env, draft)) } };
    });
  }

  /** `evaluate(version, environment)`: ready, or exactly which approvals are missing. */
  evaluate(input: C.Input<typeof C.EvaluateInput>): Evaluation {
    const i = parse(C.EvaluateInput, input);
    return this.evaluateIn(this.state, i.versionId, i.environmentId);
  }

  private evaluateIn(s: AccountState, versionId: string, environmentId: string, draft?: Version): Evaluation {
    const v = draft ?? this.version(s, versionId);
    this.envFor(s, environmentId, v.productId);
    const rules = Object.values(s.rules).filter((r) => r.environmentId === environmentId && (r.productId === null || r.productId === v.productId));
    const quorum = new Map<ApprovalType, number>();
    for (const r of rules) for (const q of r.requirements) quorum.set(q.type, Math.max(quorum.get(q.type) ?? 0, q.quorum));
    const sod = rules.some((r) => r.separationOfDuties);
    const requirements: RequirementStatus[] = APPROVAL_TYPES.filter((t) => quorum.has(t)).map((type) => {
      const q = quorum.get(type) ?? 0;
      const latest = v.decisions.filter((d) => d.type === type && !(sod && d.approverId === v.createdBy));
      const approvedBy = latest.filter((d) => d.decision === 'approve').map((d) => d.approverId);
      const rejectedBy = latest.filter((d) => d.decision === 'reject').map((d) => d.approverId);
      const satisfied = rejectedBy.length === 0 && approvedBy.length >= q;
      return { type, quorum: q, approvedBy, rejectedBy, satisfied, missing: satisfied ? 0 : rejectedBy.length ? q : q - approvedBy.length };
    });
    const missing: string[] = requirements.filter((r) => !r.satisfied).map((r) => (r.rejectedBy.length ? `${r.type}: rejected by ${r.rejectedBy.join(', ')}` : `${r.type}: ${r.missing} more approval${r.missing > 1 ? 's' : ''}`));
    let release: Evaluation['release'] = null;
    if (rules.some((r) => r.requireReleaseApproval)) {
      const rel = v.releaseId ? s.releases[v.releaseId] : undefined;
      const approvedBy = rel?.decisions.filter((d) => d.decision === 'approve').map((d) => d.approverId) ?? [];
      const rejectedBy = rel?.decisions.filter((d) => d.decision === 'reject').map((d) => d.approverId) ?? [];
      const approved = !!rel && approvedBy.length > 0 && rejectedBy.length === 0;
      release = { required: true, releaseId: rel?.id ?? null, approved, approvedBy, rejectedBy };
      if (!approved) missing.push(rel ? (rejectedBy.length ? `release approval: rejected by ${rejectedBy.join(', ')}` : 'release approval') : 'release approval (the version is in no release)');
    }
    return { versionId: v.id, environmentId, ready: missing.length === 0, rules: rules.map((r) => r.id), separationOfDuties: sod, requirements, release, missing };
  }

  /** Creates a deployment; refused while the gate is blocked unless overridden with a reason (break-glass). */
  async createDeployment(actor: Actor, input: C.Input<typeof C.CreateDeploymentInput>) {
    const i = parse(C.CreateDeploymentInput, input);
    return this.commit(actor, (s, now) => {
      const v = this.version(s, i.versionId);
      const p = this.product(s, v.productId);
      this.require(actor, 'deployment:create', p.teamId);
      if (v.releaseId && s.releases[v.releaseId]?.archived) throw new GatehouseError('release_archived', 'the version belongs to an archived release', { releaseId: v.releaseId });
      const evaluation = this.evaluateIn(s, v.id, i.environmentId);
      if (!evaluation.ready && !i.override) {
        throw new GatehouseError('deployment_blocked', `${p.name} ${v.version} cannot go to ${s.environments[i.environmentId]?.name ?? i.environmentId}: ${evaluation.missing.join('; ')}`, { missing: evaluation.missing, evaluation });
      }
      const override = !evaluation.ready && i.override ? { reason: i.override.reason, missing: evaluation.missing } : null;
      if (override) this.require(actor, 'gate:override', p.teamId);
      const deployment = { id: this.ctx.ids.next('dep'), versionId: v.id, environmentId: i.environmentId, createdBy: actor.userId, createdAt: now, override };
      const events: EventBody[] = [{ type: 'deployment.created', data: { deployment } }];
      if (override) events.push({ type: 'gate.overridden', data: { deploymentId: deployment.id, versionId: v.id, environmentId: i.environmentId, reason: override.reason, missing: override.missing } });
      return { events, result: { deployment, evaluation } };
    });
  }

  /** Versions waiting for approval types this user could give now. */
  pendingApprovals(userId: string, actor: Actor = { userId }): PendingApproval[] {
    const s = this.state;
    const out: PendingApproval[] = [];
    for (const v of Object.values(s.versions)) {
      if (v.requestedFor.length === 0) continue;
      if (v.releaseId && s.releases[v.releaseId]?.archived) continue;
      const product = s.products[v.productId];
      if (!product) continue;
      for (const environmentId of v.requestedFor) {
        const evaluation = this.evaluateIn(s, v.id, environmentId);
        if (evaluation.ready) continue;
        const canGive = evaluation.requirements
          .filter((r) => !r.satisfied && !r.approvedBy.includes(userId))
          .filter(() => !(evaluation.separationOfDuties && v.createdBy === userId))
          .filter((r) => this.actorCan(actor, approvalPermission(r.type), product.teamId))
          .map((r) => r.type);
        if (canGive.length) out.push({ version: v, product, environmentId, evaluation, canGive });
      }
    }
    return out.sort((a, b) => a.version.createdAt - b.version.createdAt);
  }

  // ---------------------------------------------------------------- releases

  async createRelease(actor: Actor, input: C.Input<typeof C.CreateReleaseInput>): Promise<Release> {
    const i = parse(C.CreateReleaseInput, input);
    return this.commit(actor, (s, now) => {
      const p = this.product(s, i.productId);
      this.require(actor, 'release:create', p.teamId);
      const id = i.releaseId ?? this.ctx.ids.next('rel');
      if (s.releases[id]) throw new GatehouseError('conflict', `release '${id}' already exists`, { releaseId: id });
      const release: Release = { id, productId: p.id, name: i.name, createdBy: actor.userId, createdAt: now, locked: false, archived: false, decisions: [] };
      return { events: [{ type: 'release.created', data: { release } }], result: release };
    });
  }

  async addToRelease(actor: Actor, input: C.Input<typeof C.ReleaseVersionInput>): Promise<void> {
    const i = parse(C.ReleaseVersionInput, input);
    await this.commit(actor, (s) => {
      const v = this.version(s, i.versionId);
      const r = this.releaseForChange(s, i.releaseId, v.productId);
      this.require(actor, 'release:create', this.product(s, r.productId).teamId);
      if (v.releaseId === r.id) return { events: [], result: undefined };
      if (v.releaseId) this.releaseForChange(s, v.releaseId, v.productId);
      return { events: [{ type: 'release.version_added', data: { releaseId: r.id, versionId: v.id, previousReleaseId: v.releaseId } }], result: undefined };
    });
  }

  private async releaseFlag(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>, perm: Permission, type: 'release.locked' | 'release.unlocked' | 'release.archived' | 'release.restored'): Promise<void> {
    const { releaseId } = parse(C.ReleaseRefInput, input);
    await this.commit(actor, (s) => {
      const r = this.release(s, releaseId);
      this.require(actor, perm, this.product(s, r.productId).teamId);
      const already = { 'release.locked': r.locked, 'release.unlocked': !r.locked, 'release.archived': r.archived, 'release.restored': !r.archived }[type];
      return { events: already ? [] : [{ type, data: { releaseId } }], result: undefined };
    });
  }
  lockRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release:lock', 'release.locked');
  }
  unlockRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release:lock', 'release.unlocked');
  }
  archiveRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release:archive', 'release.archived');
  }
  restoreRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release:archive', 'release.restored');
  }

  async deleteRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>): Promise<void> {
    const { releaseId } = parse(C.ReleaseRefInput, input);
    await this.commit(actor, (s) => {
      const r = this.release(s, releaseId);
      this.require(actor, 'release:delete', this.product(s, r.productId).teamId);
      if (r.locked) throw new GatehouseError('release_locked', `release '${r.name}' is locked: unlock it first`, { releaseId });
      return { events: [{ type: 'release.deleted', data: { release: r } }], result: undefined };
    });
  }

  async decideRelease(actor: Actor, input: C.Input<typeof C.DecideReleaseInput>): Promise<{ changed: boolean; release: Release }> {
    const i = parse(C.DecideReleaseInput, input);
    return this.commit<{ changed: boolean; release: Release }>(actor, (s) => {
      const r = this.release(s, i.releaseId);
      this.require(actor, 'release:approve', this.product(s, r.productId).teamId);
      if (r.archived) throw new GatehouseError('release_archived', `release '${r.name}' is archived: restore it first`, { releaseId: r.id });
      const previous = r.decisions.find((d) => d.approverId === actor.userId) ?? null;
      if (previous && previous.decision === i.decision && (i.decision === 'approve' || previous.reason === i.reason)) return { events: [], result: { changed: false, release: r } };
      const after: Release = { ...r, decisions: [...r.decisions.filter((d) => d.approverId !== actor.userId), { approverId: actor.userId, decision: i.decision, reason: i.reason, at: this.ctx.clock.now() }] };
      return {
        events: [{ type: 'release.decided', data: { releaseId: r.id, decision: i.decision, reason: i.reason, approverId: actor.userId, previous: previous?.decision ?? null } }],
        result: { changed: true, release: after },
      };
    });
  }

  // ---------------------------------------------------------------- access requests

  async requestAccess(actor: Actor, input: C.Input<typeof C.RequestAccessInput>): Promise<AccessRequest> {
    const i = parse(C.RequestAccessInput, input);
    return this.commit(actor, (s, now) => {
      const u = this.user(s, actor.userId);
      if (!u.active) throw new GatehouseError('user_inactive', 'deactivated users cannot request access', { userId: u.id });
      const role = this.roleDef(s, i.roleId);
      if (i.teamId) this.team(s, i.teamId);
      if (role.kind === 'custom' && (role.scope === 'team') !== (i.teamId !== null)) throw new GatehouseError('role_scope', role.scope === 'team' ? `'${role.name}' is a team role: name a team` : `'${role.name}' is a global role: request it without a team`, { roleId: role.id });
      if (i.durationMs > s.settings.maxAccessDurationMs) throw new ValidationError(`the longest access you can request is ${Math.round(s.settings.maxAccessDurationMs / 3_600_000)} hours`, [{ path: 'durationMs', message: 'too long' }]);
      const dup = Object.values(s.requests).find((r) => r.status === 'pending' && r.userId === u.id && r.roleId === role.id && r.teamId === i.teamId);
      if (dup) return { events: [], result: dup };
      const request: AccessRequest = { id: this.ctx.ids.next('req'), userId: u.id, roleId: role.id, teamId: i.teamId, durationMs: i.durationMs, reason: i.reason, status: 'pending', createdAt: now, decidedBy: null, decidedAt: null, decisionReason: null, grantId: null };
      return { events: [{ type: 'access_request.created', data: { request } }], result: request };
    });
  }

  /** Approve (becomes a time-bound grant, under the same governance rules) or deny an access request. */
  async decideAccessRequest(actor: Actor, input: C.Input<typeof C.DecideAccessInput>): Promise<{ request: AccessRequest; grant: Grant | null }> {
    const i = parse(C.DecideAccessInput, input);
    return this.commit(actor, (s, now) => {
      const r = s.requests[i.requestId];
      if (!r) throw new NotFoundError('access request', i.requestId);
      this.require(actor, 'user_role:manage', r.teamId);
      if (r.userId === actor.userId) throw new GatehouseError('self_change', 'you cannot decide your own access request: another administrator must', { requestId: r.id });
      if (r.status !== 'pending') {
        if ((r.status === 'approved') === i.approve) return { events: [], result: { request: r, grant: r.grantId ? (s.grants[r.grantId] ?? null) : null } };
        throw new GatehouseError('request_not_pending', `this request was already ${r.status} by ${r.decidedBy ?? 'someone'}`, { requestId: r.id, status: r.status });
      }
      if (!i.approve) {
        const after: AccessRequest = { ...r, status: 'denied', decidedBy: actor.userId, decidedAt: now, decisionReason: i.reason };
        return { events: [{ type: 'access_request.denied', data: { requestId: r.id, reason: i.reason } }], result: { request: after, grant: null } };
      }
      const role = this.roleDef(s, r.roleId);
      const u = this.user(s, r.userId);
      if (!u.active) throw new GatehouseError('user_inactive', `${u.id} is deactivated`, { userId: u.id });
      this.checkCanGrant(s, actor, { type: 'user', id: r.userId }, role, r.teamId);
      const grant: Grant = { id: this.ctx.ids.next('grant'), subject: { type: 'user', id: r.userId }, roleId: r.roleId, teamId: r.teamId, expiresAt: now + r.durationMs, grantedBy: actor.userId, grantedAt: now, requestId: r.id };
      const roles = [{ userId: r.userId, before: assignmentsOf(s, r.userId, now), after: assignmentsOf(s, r.userId, now, { addGrants: [grant] }) }];
      const after: AccessRequest = { ...r, status: 'approved', decidedBy: actor.userId, decidedAt: now, grantId: grant.id };
      return {
        events: [
          { type: 'access_request.approved', data: { requestId: r.id, grantId: grant.id } },
          { type: 'grant.created', data: { grant, roles } },
        ],
        result: { request: after, grant },
      };
    });
  }

  pendingAccessRequests(): AccessRequest[] {
    return Object.values(this.state.requests).filter((r) => r.status === 'pending');
  }

  // ---------------------------------------------------------------- API keys & tokens

  /**
   * Creates an API key (permissions frozen now) or a personal token (live permissions).
   * The secret is returned once; the state keeps only its sha256.
   */
  async createKey(actor: Actor, input: C.Input<typeof C.CreateKeyInput>): Promise<CreatedKey> {
    const i = parse(C.CreateKeyInput, input);
    const keyId = this.ctx.ids.next('key');
    const secret = `${KEY_PREFIX}_${keyId}_${randomBytes(24).toString('base64url')}`;
    return this.commit(actor, (s, now) => {
      const ownerId = i.ownerId ?? actor.userId;
      const owner = this.user(s, ownerId);
      if (!owner.active) throw new GatehouseError('user_inactive', `${ownerId} is deactivated`, { userId: ownerId });
      if (ownerId !== actor.userId) this.require(actor, 'api_key:manage', null);
      // A key for oneself is not scoped to a team: api_key:create held in any scope (a team-scoped
      // Developer) is enough; the key's snapshot keeps each scope's permissions apart.
      else if (i.kind === 'api_key' && !this.actorCan(actor, 'api_key:manage', null) && !this.teamsOf(actor.userId).some((t) => this.actorCan(actor, 'api_key:create', t))) this.require(actor, 'api_key:create', null);
      else if (actor.userId !== SYSTEM.userId && !s.users[actor.userId]?.active) throw new GatehouseError('user_inactive', 'deactivated users cannot create tokens', { userId: actor.userId });
      const snapshot =
        i.kind === 'api_key'
          ? {
              global: this.index.permissionsIn(ownerId, null),
              teams: Object.fromEntries(this.teamsOf(ownerId).map((t) => [t, this.index.permissionsIn(ownerId, t)])),
            }
          : null;
      const key: ApiKey = { id: keyId, ownerId, name: i.name, kind: i.kind, prefix: secret.slice(0, KEY_PREFIX.length + keyId.length + 6), hash: hashSecret(secret), createdAt: now, createdBy: actor.userId, revokedAt: null, snapshot };
      const { hash: _hash, ...shown } = key;
      return { events: [{ type: 'api_key.created', data: { key } }], result: { key: shown, secret } };
    });
  }

  async revokeKey(actor: Actor, input: C.Input<typeof C.KeyRefInput>): Promise<void> {
    const { keyId } = parse(C.KeyRefInput, input);
    await this.commit(actor, (s) => {
      const key = s.keys[keyId];
      if (!key) throw new NotFoundError('API key', keyId);
      if (key.ownerId !== actor.userId) this.require(actor, 'api_key:manage', null);
      return { events: key.revokedAt === null ? [{ type: 'api_key.revoked', data: { keyId } }] : [], result: undefined };
    });
  }

  /** Keys of one owner (or every key for holders of api_key:manage when ownerId is omitted). */
  listKeys(actor: Actor, ownerId?: string): (Omit<ApiKey, 'hash' | 'snapshot'> & { lastUsedAt: number | null })[] {
    const all = ownerId === undefined || ownerId !== actor.userId;
    if (all) this.require(actor, 'api_key:manage', null);
    return Object.values(this.state.keys)
      .filter((k) => (ownerId === undefined ? true : k.ownerId === ownerId))
      .map(({ hash: _h, snapshot: _s, ...k }) => ({ ...k, lastUsedAt: this.keyUse.get(k.id) ?? null }));
  }

  /**
   * Checks a secret against the stored hash in constant time. Returns the key when it is valid,
   * unrevoked and its owner active.
   */
  verifyKey(keyId: string, secret: string): ApiKey | null {
    const key = this.state.keys[keyId];
    const expected = Buffer.from(key?.hash ?? '0'.repeat(64), 'hex');
    const ok = timingSafeEqual(Buffer.from(hashSecret(secret), 'hex'), expected);
    if (!key || !ok || key.revokedAt !== null || !this.state.users[key.ownerId]?.active) return null;
    return key;
  }

  /** Remembers when a key was last used (kept beside the log, written at most once a minute per key). */
  async touchKey(keyId: string): Promise<void> {
    const now = this.ctx.clock.now();
    const last = this.keyUse.get(keyId) ?? 0;
    this.keyUse.set(keyId, now);
    const key = this.state.keys[keyId];
    if (key) this.userSeen.set(key.ownerId, now);
    if (now - last >= 60_000) await this.ctx.store.setMeta(`a:${this.id}:keyuse:${keyId}`, now);
  }

  /** Remembers that a user was active (Slack interaction). */
  touchUser(userId: string): void {
    this.userSeen.set(userId, this.ctx.clock.now());
  }

  // ---------------------------------------------------------------- audit

  /** Every event, oldest first, read from the store (the log is the audit trail). */
  async auditEvents(): Promise<AuditEvent[]> {
    const commits = await this.ctx.store.readCommits(this.id, 0);
    return commits.flatMap((c) => c.events);
  }

  async auditTrail(actor: Actor, query: C.Input<typeof C.AuditQueryInput> = {}): Promise<AuditEvent[]> {
    const q = parse(C.AuditQueryInput, query);
    if (!(q.userId !== undefined && q.userId === actor.userId)) this.require(actor, 'audit:view', null);
    const events = await this.auditEvents();
    const matches = events.filter(
      (e) =>
        (q.since === undefined || e.at >= q.since) &&
        (q.types === undefined || q.types.includes(e.type)) &&
        (q.userId === undefined || e.actor === q.userId || JSON.stringify(e.data).includes(`"${q.userId}"`)),
    );
    return matches.slice(-q.limit);
  }

  /** Walks the hash chain (SPEC §7): reading the whole trail, so it needs `audit:view`. */
  async verifyAudit(actor: Actor): Promise<VerifyResult> {
    this.require(actor, 'audit:view', null);
    return verifyChain(await this.auditEvents());
  }

  async exportAudit(actor: Actor): Promise<string> {
    this.require(actor, 'audit:view', null);
    return toJsonLines(await this.auditEvents());
  }

  /** SPEC §7 access review: Admins, inactive users, expiring grants, unused keys, keys exceeding their owner. */
  async accessReview(actor: Actor, opts: { inactiveDays?: number; expiringDays?: number; unusedKeyDays?: number } = {}): Promise<AccessReview> {
    if (!this.actorCan(actor, 'audit:view', null)) this.require(actor, 'user_role:manage', null);
    const now = this.ctx.clock.now();
    const s = this.state;
    const lastSeen = new Map<string, number>();
    const seen = (u: string, t: number) => lastSeen.set(u, Math.max(lastSeen.get(u) ?? 0, t));
    for (const e of await this.auditEvents()) seen(e.actor, e.at);
    for (const [u, t] of this.userSeen) seen(u, t);
    const keyLastUsed = new Map<string, number>();
    for (const k of Object.values(s.keys)) {
      const t = Math.max(this.keyUse.get(k.id) ?? 0, (await this.ctx.store.getMeta(`a:${this.id}:keyuse:${k.id}`, TimeOnly)) ?? 0);
      if (t) {
        keyLastUsed.set(k.id, t);
        seen(k.ownerId, t);
      }
    }
    const inactiveSince = now - (opts.inactiveDays ?? 90) * DAY;
    const admins = activeAdmins(s);
    return {
      admins,
      singleAdmin: admins.length === 1,
      inactiveUsers: Object.values(s.users)
        .filter((u) => u.active && (lastSeen.get(u.id) ?? u.createdAt) < inactiveSince)
        .map((u) => ({ userId: u.id, lastSeen: lastSeen.get(u.id) ?? null })),
      expiringGrants: Object.values(s.grants).filter((g) => g.expiresAt !== null && g.expiresAt > now && g.expiresAt <= now + (opts.expiringDays ?? 7) * DAY),
      unusedKeys: Object.values(s.keys)
        .filter((k) => k.revokedAt === null && (keyLastUsed.get(k.id) ?? k.createdAt) < now - (opts.unusedKeyDays ?? 90) * DAY)
        .map((k) => ({ keyId: k.id, ownerId: k.ownerId, name: k.name, lastUsedAt: keyLastUsed.get(k.id) ?? null })),
      keysExceedingOwner: Object.values(s.keys)
        .filter((k) => k.revokedAt === null && k.snapshot !== null)
        .map((k) => {
          const snap = k.snapshot ?? { global: [], teams: {} };
          const excess = new Set<string>();
          for (const p of snap.global) if (!this.can(k.ownerId, p, null)) excess.add(p);
          for (const [t, perms] of Object.entries(snap.teams)) for (const p of perms) if (!this.can(k.ownerId, p, t)) excess.add(`${p}@${t}`);
          return { keyId: k.id, ownerId: k.ownerId, name: k.name, excess: [...excess].sort() };
        })
        .filter((k) => k.excess.length > 0),
    };
  }

  /** Who-am-I: roles and effective permissions globally and in every team the user has roles in. */
  whoami(userId: string): { user: User | null; roles: RoleAssignment[]; global: Permission[]; teams: Record<string, Permission[]> } {
    const user = this.state.users[userId] ?? null;
    return {
      user,
      roles: this.roles(userId),
      global: this.permissions(userId, null),
      teams: Object.fromEntries(this.teamsOf(userId).map((t) => [t, this.permissions(userId, t)])),
    };
  }
}


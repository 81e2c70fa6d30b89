import type { z } from 'zod';
import type { Decision } from './authz/compiled-index.js';
import type { Permission } from './authz/permissions.js';
import type { RoleDefinition } from './authz/roles.js';
import * as C from './commands.js';
import { grants, roles } from './domains/index.js';
import type { Holder } from './domains/index.js';
import type { AuditEvent, RoleAssignment } from './events/schema.js';
import { ActivityTracker } from './kernel/activity.js';
import type { AccountContext, AppliedCommit } from './kernel/commit-loop.js';
import { CommitLoop } from './kernel/commit-loop.js';
import type { Actor, Decide } from './kernel/decider.js';
import { requirePermission } from './kernel/guards.js';
import type { Scope } from './kernel/lookups.js';
import { scopeTeam } from './kernel/lookups.js';
import { own } from './own.js';
import type { AccountState, User } from './schemas.js';
import { activeAdmins, assignmentsOf } from './state/derived.js';
import { roleById } from './state/empty.js';

/** A committed change as listeners see it. `local` is false for changes replayed from another process. */
export interface CommitNotice {
  readonly accountId: string;
  readonly events: readonly AuditEvent[];
  readonly local: boolean;
}

/**
 * What every account has besides its commands: the commit loop it runs on, commit listeners,
 * and the authorisation queries (compiled index only, never storage). `Account` adds the commands.
 */
export abstract class AccountBase {
  private readonly listeners = new Set<(notice: CommitNotice, account: this) => void>();
  protected readonly activity: ActivityTracker;
  protected loop!: CommitLoop;

  protected constructor(
    readonly id: string,
    protected readonly ctx: AccountContext,
  ) {
    this.activity = new ActivityTracker(id, ctx.store);
  }

  /** Loads from the newest snapshot and replays the log after it. */
  protected async init(): Promise<void> {
    this.loop = await CommitLoop.load(this.id, this.ctx, (c) => this.notify(c));
  }

  get exists(): boolean {
    return this.loop.state.seq > 0;
  }
  get seq(): number {
    return this.loop.state.seq;
  }
  /** Read-only view of the state. Do not mutate. */
  get view(): Readonly<AccountState> {
    return this.loop.state;
  }
  protected get now(): number {
    return this.ctx.clock.now();
  }

  onCommit(listener: (notice: CommitNotice, account: this) => void): () => void {
    this.listeners.add(listener);
    return () => this.offCommit(listener);
  }
  offCommit(listener: (notice: CommitNotice, account: this) => void): void {
    this.listeners.delete(listener);
  }
  private notify(c: AppliedCommit): void {
    const notice: CommitNotice = { accountId: this.id, events: c.events, local: c.local };
    for (const l of this.listeners) {
      try {
        l(notice, this);
      } catch (err) {
        this.ctx.logger.error('commit listener failed', { account: this.id, err: String(err) });
      }
    }
  }

  /** Polls the log for commits by other processes (Redis), so they show within `intervalMs`. */
  watch(intervalMs = 250): void {
    this.loop.watch(intervalMs);
  }
  stopWatching(): void {
    this.loop.stopWatching();
  }
  /** Reads and applies commits written by others. Returns how many. */
  refresh(): Promise<number> {
    return this.loop.refresh();
  }
  /** Forces a snapshot now (used at shutdown and by benchmarks). */
  snapshot(): Promise<void> {
    return this.loop.snapshot();
  }

  /** Parses the input, then commits the domain's decision as `actor`. */
  protected async run<S extends z.ZodType, T>(actor: Actor, schema: S, input: unknown, decide: Decide<z.output<S>, T>): Promise<T> {
    return this.loop.commit(actor, decide, C.parse(schema, input));
  }

  // ---------------------------------------------------------------- authorisation

  /** `can(user, permission, team?)`: compiled index only, never storage. */
  can(userId: string, permission: Permission, teamId?: string | null): boolean {
    return this.loop.index.can(userId, permission, teamId);
  }
  /** As `can`, with the granting roles on allow and what is missing on deny. */
  explain(userId: string, permission: Permission, teamId: string | null = null): Decision {
    return this.loop.index.explain(userId, permission, teamId);
  }
  /** Whether an actor (user, or user through a key) may do something. */
  actorCan(actor: Actor, permission: Permission, teamId: string | null = null): boolean {
    return this.loop.authz.actorCan(actor, permission, teamId);
  }
  /**
   * Refuses with a ForbiddenError carrying the denial facts unless the actor may do `permission`
   * in the scope: a team id, null (global), or an object whose team it is (a product, version,
   * release or access request; NotFoundError when it does not exist). The one pre-check for UIs.
   */
  assertCan(actor: Actor, permission: Permission, scope: Scope = null): void {
    requirePermission(this.loop.authz, actor, permission, scopeTeam(this.view, scope));
  }
  /** Effective permissions of a user in a scope. */
  permissions(userId: string, teamId: string | null = null): Permission[] {
    return this.loop.index.permissionsIn(userId, teamId);
  }
  /** Roles in force for a user, with scope, expiry and the group they came through. */
  roles(userId: string): RoleAssignment[] {
    return assignmentsOf(this.view, userId, this.now);
  }
  /** Teams where the user has any grant (global grants reach every team). */
  teamsOf(userId: string): string[] {
    return this.loop.authz.teamsOf(userId);
  }
  role(roleId: string): RoleDefinition | undefined {
    return roleById(this.view, roleId);
  }
  listRoles(): RoleDefinition[] {
    return roles.listRoles(this.view);
  }
  /** Users holding a role (directly or via a group), with the scope of each grant. */
  holders(roleId: string): Holder[] {
    return grants.holders(this.view, roleId, this.now);
  }
  admins(): string[] {
    return activeAdmins(this.view);
  }

  /** Who-am-I: roles and effective permissions globally and in every team the user has roles in. */
  whoami(userId: string): { user: User | null; roles: RoleAssignment[]; global: Permission[]; teams: Record<string, Permission[]> } {
    return {
      user: own(this.view.users, userId) ?? null,
      roles: this.roles(userId),
      global: this.permissions(userId, null),
      teams: Object.fromEntries(this.teamsOf(userId).map((t) => [t, this.permissions(userId, t)])),
    };
  }
}

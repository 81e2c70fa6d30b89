/**
 * Typed domain errors. Every refusal in the core is a GatehouseError with a stable
 * code and structured facts; the UI layers (Slack, REST, VS Code) turn codes into words.
 */
export const ERROR_CODES = [
  'validation_failed',
  'not_found',
  'conflict',
  'forbidden',
  'self_change',
  'escalation',
  'last_admin',
  'static_role_immutable',
  'role_in_use',
  'role_scope',
  'user_inactive',
  'separation_of_duties',
  'release_locked',
  'release_archived',
  'deployment_blocked',
  'reason_required',
  'request_not_pending',
  'invalid_key',
  'storage_conflict',
  'storage_corrupt',
  'storage_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a denied permission check was asked, and what is missing. */
export interface DenialFacts {
  readonly userId: string;
  readonly permission: string;
  readonly teamId: string | null;
  /** Roles that would grant the permission in that scope. */
  readonly grantingRoles: readonly string[];
  /** Why: 'missing_permission' | 'user_inactive' | 'unknown_user' | 'key_revoked'. */
  readonly cause: DenialCause;
}

export type DenialCause = 'missing_permission' | 'user_inactive' | 'unknown_user' | 'key_scope';

export class GatehouseError extends Error {
  override readonly name: string = 'GatehouseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export class ValidationError extends GatehouseError {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super('validation_failed', message, { issues });
  }
}

export class NotFoundError extends GatehouseError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super('not_found', `${entity} '${id}' does not exist`, { entity, id });
  }
}

export class ForbiddenError extends GatehouseError {
  override readonly name = 'ForbiddenError';
  constructor(readonly denial: DenialFacts) {
    const where = denial.teamId ? `in team '${denial.teamId}'` : 'globally';
    super('forbidden', `${denial.userId} lacks ${denial.permission} ${where}`, { ...denial });
  }
}

/** Thrown when the store refuses an append after repeated concurrent-writer retries. */
export class StorageConflictError extends GatehouseError {
  override readonly name = 'StorageConflictError';
  constructor(accountId: string, attempts: number) {
    super('storage_conflict', `account ${accountId}: gave up after ${attempts} concurrent-write retries`, {
      accountId,
      attempts,
    });
  }
}

/**
 * Whether a change the store failed during can have been recorded: `unchanged` when it never
 * reached the store (or was no write), `unknown` when the connection failed after it was sent.
 */
export type WriteOutcome = 'unchanged' | 'unknown';

/** The names of stores, for messages. */
const STORE_NAMES: Record<string, string> = { redis: 'Redis', postgres: 'PostgreSQL', sqlite: 'SQLite', memory: 'memory' };

/**
 * The store cannot be reached or did not answer in time (`reason`, e.g. "cannot be reached").
 * Says whether the change may have been recorded anyway; the driver's error is the `cause` (kept
 * out of the message, which API clients read: it may name internal hosts).
 */
export class StoreUnavailableError extends GatehouseError {
  override readonly name = 'StoreUnavailableError';
  declare readonly details: Readonly<{ store: string; outcome: WriteOutcome }>;
  constructor(store: string, outcome: WriteOutcome, reason: string, cause?: unknown) {
    const name = STORE_NAMES[store] ?? store;
    super(
      'storage_unavailable',
      outcome === 'unchanged'
        ? `Gatehouse's store (${name}) ${reason}; nothing was changed: try again in a minute`
        : `Gatehouse's store (${name}) ${reason} while this change was being saved, so it may or may not have been recorded: check before trying again`,
      { store, outcome },
    );
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * A named refusal: one class per code, with typed details (bolt-js keeps one class per code too).
 * `instanceof` tells them apart; `code` stays the stable contract for REST and Slack.
 */
function refusal<D extends object>(code: ErrorCode, name: string) {
  return class extends GatehouseError {
    override readonly name: string = name;
    declare readonly details: Readonly<D>;
    constructor(message: string, details: D) {
      super(code, message, details as Record<string, unknown>);
    }
  };
}

/** What a self-change refusal refused: one's own roles or status, one's own access request, a delegation to oneself. */
export type SelfChangeAction = 'roles' | 'request' | 'delegation';
/** Nobody changes their own roles or status, nor decides their own access request. */
export const SelfChangeError = refusal<{ action: SelfChangeAction; userId?: string; roleId?: string; requestId?: string }>('self_change', 'SelfChangeError');
/** What an escalation refusal refused: granting a role, a role's permissions, the default role, a delegation. */
export type EscalationAction = 'grant' | 'role_permissions' | 'default_role' | 'delegation';
/** Granting (or building a role with, or delegating) permissions the actor does not hold. */
export const EscalationError = refusal<{ action: EscalationAction; roleId?: string; teamId?: string | null; missing?: readonly string[] }>('escalation', 'EscalationError');
/** The change would leave the account without an active Admin. */
export const LastAdminError = refusal<{ admins: readonly string[] }>('last_admin', 'LastAdminError');
/** The creator of a version approving it while separation of duties applies. */
export const SeparationOfDutiesError = refusal<{ versionId: string; createdBy: string }>('separation_of_duties', 'SeparationOfDutiesError');
/** A deployment through a gate that is not ready, without an override. */
export const DeploymentBlockedError = refusal<{ missing: readonly string[]; evaluation: unknown }>('deployment_blocked', 'DeploymentBlockedError');
/** An object with that id exists already. */
export const ConflictError = refusal<Record<string, string>>('conflict', 'ConflictError');
/** A role granted (or requested) in a scope it may not be granted in. */
export const RoleScopeError = refusal<{ roleId?: string; scope?: string; grants?: readonly string[] }>('role_scope', 'RoleScopeError');
/** A deactivated user acting, or being granted something. */
export const UserInactiveError = refusal<{ userId: string }>('user_inactive', 'UserInactiveError');
export const StaticRoleImmutableError = refusal<{ roleId: string }>('static_role_immutable', 'StaticRoleImmutableError');
/** A role still granted (`holders`), or the default role for newcomers (`defaultRole`), cannot be deleted. */
export const RoleInUseError = refusal<{ roleId: string; defaultRole: boolean; holders: readonly { subject: { type: string; id: string }; teamId: string | null }[] }>('role_in_use', 'RoleInUseError');
export const ReleaseLockedError = refusal<{ releaseId: string }>('release_locked', 'ReleaseLockedError');
export const ReleaseArchivedError = refusal<{ releaseId: string }>('release_archived', 'ReleaseArchivedError');
export const RequestNotPendingError = refusal<{ requestId: string; status: string; decidedBy: string | null }>('request_not_pending', 'RequestNotPendingError');
export const InvalidKeyError = refusal<Record<string, never>>('invalid_key', 'InvalidKeyError');

export function isGatehouseError(e: unknown): e is GatehouseError {
  return e instanceof GatehouseError;
}

/** Exhaustiveness helper for switch statements. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

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

export function isGatehouseError(e: unknown): e is GatehouseError {
  return e instanceof GatehouseError;
}

/** Exhaustiveness helper for switch statements. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

export { Account, SYSTEM, hashSecret, parse } from './account.js';
export type {
  AccessReview,
  AccountContext,
  Actor,
  CommitListener,
  CommitNotice,
  CreatedKey,
  Evaluation,
  PendingApproval,
  RequirementStatus,
  RoleChangeResult,
  Scope,
} from './account.js';
export { hashEvent, toJsonLines, verifyChain } from './audit.js';
export type { VerifyResult } from './audit.js';
export { AuthzIndex } from './authz.js';
export type { Decision } from './authz.js';
export * as commands from './commands.js';
export { FakeClock, SequentialIds, consoleLogger, randomIds, silentLogger, systemClock } from './context.js';
export type { Clock, IdSource, Logger } from './context.js';
export { redefinesRoles, roleChangesOf, usersTouched, versionIdOf } from './event-meaning.js';
export type { RoleChange } from './event-meaning.js';
export {
  ConflictError,
  DeploymentBlockedError,
  ERROR_CODES,
  EscalationError,
  ForbiddenError,
  GatehouseError,
  InvalidKeyError,
  LastAdminError,
  NotFoundError,
  ReleaseArchivedError,
  ReleaseLockedError,
  RequestNotPendingError,
  RoleInUseError,
  RoleScopeError,
  SelfChangeError,
  SeparationOfDutiesError,
  StaticRoleImmutableError,
  StorageConflictError,
  UserInactiveError,
  ValidationError,
  assertNever,
  isGatehouseError,
} from './errors.js';
export type { DenialCause, DenialFacts, ErrorCode } from './errors.js';
export { AuditEventSchema, CommitSchema, EventBodySchema, SnapshotSchema } from './events.js';
export type { AuditEvent, Commit, EventBody, EventType, RoleAssignment, Snapshot } from './events.js';
export { Gatehouse } from './gatehouse.js';
export type { GatehouseOptions, Principal } from './gatehouse.js';
export { APPROVAL_TYPES, BASELINE_VIEWS, PERMISSIONS, PermissionSchema, approvalPermission, closePermissions, implied, isPermission } from './permissions.js';
export type { ApprovalType, Permission } from './permissions.js';
export { STATIC_ROLES, STATIC_ROLE_IDS, isStaticRoleId } from './roles.js';
export type { RoleDefinition, RoleScope, StaticRoleId } from './roles.js';
export * from './schemas.js';
export { GENESIS_HASH, activeAdmins, applyEvent, emptyState } from './state.js';
export { KeyvLogStore, RedisLogStore, SqliteLogStore, openStore } from './store.js';
export type { LogStore, StoreOptions } from './store.js';

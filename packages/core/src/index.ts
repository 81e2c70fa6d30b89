export { Account } from './account.js';
export type { CommitListener, CommitNotice } from './account.js';
export { AccountBase } from './account-base.js';
export { exportConfig, grantKey } from './config/export.js';
export { ConfigReferenceError, ConfigRefusedError, checkReferences, planConfig } from './config/plan.js';
export type { ConfigChange, ConfigPlan, ConfigRefusal, UnknownReference } from './config/plan.js';
export { CONFIG_VERSION, ConfigDocSchema, configJsonSchema } from './config/schema.js';
export type { ConfigDoc, ConfigDocInput } from './config/schema.js';
export { ConfigFileError, configToYaml, parseConfigYaml } from './config/yaml.js';
export type { ConfigIssue, FilePosition, ParsedConfig } from './config/yaml.js';
export { AuthzIndex } from './authz/compiled-index.js';
export type { Decision } from './authz/compiled-index.js';
export { APPROVAL_TYPES, BASELINE_VIEWS, PERMISSIONS, PermissionSchema, approvalPermission, closePermissions, implied, isPermission } from './authz/permissions.js';
export type { ApprovalType, Permission } from './authz/permissions.js';
export { STATIC_ROLES, STATIC_ROLE_IDS, isStaticRoleId } from './authz/roles.js';
export type { RoleDefinition, RoleScope, StaticRoleId } from './authz/roles.js';
export * as commands from './commands.js';
export * as followUps from './domains/follow-up/index.js';
export type { FollowUpResult } from './domains/follow-up/decide.js';
export { parse } from './commands.js';
export { FakeClock, SequentialIds, consoleLogger, randomIds, silentLogger, systemClock } from './context.js';
export type { Clock, IdSource, Logger } from './context.js';
export { hashEvent, toJsonLines, verifyChain } from './domains/audit/chain.js';
export type { VerifyResult } from './domains/audit/chain.js';
export type { Approvers } from './domains/approvals/queries.js';
export type { AccessReview, CreatedKey, Evaluation, GithubReviewResult, GithubVerdict, PendingApproval, RequirementStatus, RoleChangeResult, VersionDecision } from './domains/index.js';
export { environmentForGithub, productForRepository, versionForCommit } from './domains/github/decide.js';
export { hashSecret } from './domains/keys/decide.js';
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
  StoreUnavailableError,
  UserInactiveError,
  ValidationError,
  assertNever,
  isGatehouseError,
} from './errors.js';
export type { DenialCause, DenialFacts, ErrorCode, WriteOutcome } from './errors.js';
export { grantChanges, membershipChanges, redefinesRoles, roleChangesOf, usersTouched, versionIdOf } from './events/meaning.js';
export type { Membership, RoleChange } from './events/meaning.js';
export { AuditEventSchema, CommitSchema, EventBodySchema, SnapshotSchema } from './events/schema.js';
export type { AuditEvent, Commit, EventBody, EventType, RoleAssignment, Snapshot } from './events/schema.js';
export { Gatehouse } from './gatehouse.js';
export type { GatehouseOptions, Principal } from './gatehouse.js';
export type { AccountContext } from './kernel/commit-loop.js';
export { SYSTEM } from './kernel/decider.js';
export type { Actor, AuthzView, Decide, DecideEnv, Decided } from './kernel/decider.js';
export type { Scope } from './kernel/lookups.js';
export { own } from './own.js';
export * from './schemas.js';
export { applyEvent } from './state/apply.js';
export { activeAdmins, deploymentsOfVersion } from './state/derived.js';
export { GENESIS_HASH, emptyState } from './state/empty.js';
export { KeyvLogStore } from './store/keyv-store.js';
export type { LogStore } from './store/log-store.js';
export { openStore } from './store/open.js';
export type { StoreOptions } from './store/open.js';
export { RedisLogStore } from './store/redis.js';
export { SqliteLogStore } from './store/sqlite.js';

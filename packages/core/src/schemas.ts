import { z } from 'zod';
import { APPROVAL_TYPES, PermissionSchema } from './authz/permissions.js';

/** The longest id, in characters (the pattern bounds it too; the maxLength is what OpenAPI and JSON Schema show). */
export const ID_MAX = 64;

/** Identifiers: Slack ids (U…, T…, S…) and our own generated ids. An over-long one is refused on its length alone. */
export const IdSchema = z
  .string()
  .max(ID_MAX, { error: `an id is at most ${ID_MAX} characters`, abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'an id is 1-64 letters, digits, _ . : - and starts with a letter or digit');
/** The longest name of a team, group, role, product or environment; a user's name (from Slack) may be longer. */
export const NAME_MAX = 80;
export const USER_NAME_MAX = 120;
export const NameSchema = z.string().trim().min(1, 'must not be empty').max(NAME_MAX, `at most ${NAME_MAX} characters`);
export const ReasonSchema = z.string().trim().min(3, 'give a reason of at least 3 characters').max(1000, 'at most 1,000 characters');
/** Milliseconds since the epoch. */
export const TimeSchema = z.number().int().nonnegative();

export const ApprovalTypeSchema = z.enum(APPROVAL_TYPES);
export const DecisionSchema = z.enum(['approve', 'reject']);

export const UserSchema = z.object({
  id: IdSchema,
  name: z.string().max(USER_NAME_MAX),
  email: z.string().max(254).nullable(),
  active: z.boolean(),
  serviceAccount: z.boolean(),
  createdAt: TimeSchema,
});
export type User = z.infer<typeof UserSchema>;

export const TeamSchema = z.object({ id: IdSchema, name: NameSchema, createdAt: TimeSchema });
export type Team = z.infer<typeof TeamSchema>;

export const GroupSchema = z.object({
  id: IdSchema,
  name: NameSchema,
  members: z.array(IdSchema),
  createdAt: TimeSchema,
});
export type Group = z.infer<typeof GroupSchema>;

export const RoleScopeSchema = z.enum(['global', 'team']);

export const CustomRoleSchema = z.object({
  id: IdSchema,
  name: NameSchema,
  description: z.string().max(500),
  scope: RoleScopeSchema,
  kind: z.literal('custom'),
  permissions: z.array(PermissionSchema),
  createdAt: TimeSchema,
});
export type CustomRole = z.infer<typeof CustomRoleSchema>;

export const SubjectSchema = z.object({ type: z.enum(['user', 'group']), id: IdSchema });
export type Subject = z.infer<typeof SubjectSchema>;

export const GrantSchema = z.object({
  id: IdSchema,
  subject: SubjectSchema,
  roleId: IdSchema,
  /** null = global grant. */
  teamId: IdSchema.nullable(),
  /** null = permanent. */
  expiresAt: TimeSchema.nullable(),
  grantedBy: IdSchema,
  grantedAt: TimeSchema,
  /** The access request this grant came from, if any. */
  requestId: IdSchema.nullable(),
});
export type Grant = z.infer<typeof GrantSchema>;

/** A GitHub repository as `owner/name` (GitHub compares them case-insensitively). */
export const RepositoryNameSchema = z
  .string()
  .trim()
  .max(140)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository is owner/name, e.g. acme/checkout');

export const ProductSchema = z.object({
  id: IdSchema,
  name: NameSchema,
  teamId: IdSchema,
  /** Slack channel for approval messages; null = account default. */
  channel: z.string().max(64).nullable(),
  /** GitHub repositories whose deployments this product's versions are (absent = none). */
  repositories: z.array(RepositoryNameSchema).optional(),
  createdAt: TimeSchema,
});
export type Product = z.infer<typeof ProductSchema>;

export const EnvironmentSchema = z.object({
  id: IdSchema,
  name: NameSchema,
  /** null = account-wide environment. */
  productId: IdSchema.nullable(),
  production: z.boolean(),
  /** Slack channel for approval messages to this environment; absent or null = the product's, else the account's. */
  channel: z.string().max(64).nullable().optional(),
  createdAt: TimeSchema,
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const RequirementSchema = z.object({
  type: ApprovalTypeSchema,
  quorum: z.number().int().min(1).max(20),
});
export type Requirement = z.infer<typeof RequirementSchema>;

const PolicyDuration = z.number().int().min(60_000, 'at least one minute').max(366 * 86_400_000, 'at most a year');

/** Where an escalation goes: a group's members, the holders of a role, or a channel. */
export const EscalationTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('group'), id: IdSchema }),
  z.object({ type: z.literal('role'), id: IdSchema }),
  z.object({ type: z.literal('channel'), id: z.string().min(1).max(64) }),
]);
export type EscalationTarget = z.infer<typeof EscalationTargetSchema>;

/** Working hours for reminders: a time zone, the hours [from, to) and the weekdays (1 Monday … 7 Sunday). */
export const WorkingHoursSchema = z.object({
  timeZone: z.string().min(1).max(64),
  from: z.number().int().min(0).max(23),
  to: z.number().int().min(1).max(24),
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
});
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

/**
 * What happens to an approval nobody gives: reminders, escalation, a timeout with an explicit
 * outcome, how approvers are asked, and whether they may delegate. Every field is optional; a
 * rule's fields win over the account's default (settings.approvalPolicy).
 */
export const ApprovalPolicySchema = z
  .object({
    remindAfterMs: PolicyDuration.nullable().optional(),
    remindEveryMs: PolicyDuration.nullable().optional(),
    workingHours: WorkingHoursSchema.nullable().optional(),
    escalateAfterMs: PolicyDuration.nullable().optional(),
    escalateTo: EscalationTargetSchema.nullable().optional(),
    timeoutAfterMs: PolicyDuration.nullable().optional(),
    /** `expire`: the request is marked expired and the deployment stays blocked; `reject`: it counts as rejected. */
    timeoutOutcome: z.enum(['expire', 'reject']).optional(),
    /** How approvers are asked: a DM each, a mention in the channel message, or neither. */
    notify: z.enum(['dm', 'mention', 'none']).optional(),
    allowDelegation: z.boolean().optional(),
  })
  .strict();
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export const DeploymentRuleSchema = z.object({
  id: IdSchema,
  environmentId: IdSchema,
  /** null = every product deploying to the environment. */
  productId: IdSchema.nullable(),
  requirements: z.array(RequirementSchema),
  requireReleaseApproval: z.boolean(),
  /** The version's creator's approvals do not count (and are refused). */
  separationOfDuties: z.boolean(),
  /** Reminders, escalation, timeout and delegation for this rule (absent: the account's default). */
  policy: ApprovalPolicySchema.optional(),
  createdAt: TimeSchema,
});
export type DeploymentRule = z.infer<typeof DeploymentRuleSchema>;

export const DecisionRecordSchema = z.object({
  approverId: IdSchema,
  type: ApprovalTypeSchema,
  decision: DecisionSchema,
  reason: z.string().nullable(),
  at: TimeSchema,
  /** A delegate's decision: whose approval it gives. */
  onBehalfOf: IdSchema.optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

export const MessageRefSchema = z.object({
  channel: z.string().min(1).max(64),
  ts: z.string().min(1).max(64),
  permalink: z.string().max(500).nullable(),
});
export type MessageRef = z.infer<typeof MessageRefSchema>;

export const VersionSchema = z.object({
  id: IdSchema,
  productId: IdSchema,
  version: z.string().trim().min(1).max(100),
  createdBy: IdSchema,
  createdAt: TimeSchema,
  releaseId: IdSchema.nullable(),
  /** Latest decision per (approver, type) — older ones live in the audit trail. */
  decisions: z.array(DecisionRecordSchema),
  /** Environments approval was requested for. */
  requestedFor: z.array(IdSchema),
  message: MessageRefSchema.nullable(),
  /** The commit the version was built from (CI), when given. */
  commit: z.string().max(64).optional(),
  /** When approval was (last) requested, per environment. */
  requestedAt: z.record(z.string(), TimeSchema).optional(),
  /** What the follow-up has done per environment: reminders sent, escalation, timeout. */
  followUp: z.record(z.string(), z.object({ reminders: z.number().int().nonnegative(), lastReminderAt: TimeSchema.nullable(), escalatedAt: TimeSchema.nullable(), timedOut: z.object({ at: TimeSchema, outcome: z.enum(['expire', 'reject']) }).nullable() })).optional(),
});
export type Version = z.infer<typeof VersionSchema>;

export const ReleaseDecisionSchema = z.object({
  approverId: IdSchema,
  decision: DecisionSchema,
  reason: z.string().nullable(),
  at: TimeSchema,
});
export type ReleaseDecision = z.infer<typeof ReleaseDecisionSchema>;

export const ReleaseSchema = z.object({
  id: IdSchema,
  productId: IdSchema,
  name: NameSchema,
  createdBy: IdSchema,
  createdAt: TimeSchema,
  locked: z.boolean(),
  archived: z.boolean(),
  decisions: z.array(ReleaseDecisionSchema),
});
export type Release = z.infer<typeof ReleaseSchema>;

export const DeploymentSchema = z.object({
  id: IdSchema,
  versionId: IdSchema,
  environmentId: IdSchema,
  createdBy: IdSchema,
  createdAt: TimeSchema,
  /** Set when a blocked gate was overridden (break-glass). */
  override: z.object({ reason: z.string(), missing: z.array(z.string()) }).nullable(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const AccessRequestSchema = z.object({
  id: IdSchema,
  userId: IdSchema,
  roleId: IdSchema,
  teamId: IdSchema.nullable(),
  durationMs: z.number().int().positive(),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'denied', 'expired']),
  createdAt: TimeSchema,
  decidedBy: IdSchema.nullable(),
  decidedAt: TimeSchema.nullable(),
  decisionReason: z.string().nullable(),
  grantId: IdSchema.nullable(),
});
export type AccessRequest = z.infer<typeof AccessRequestSchema>;

/** Permissions frozen into an API key at creation: global set and per team. */
export const PermissionSnapshotSchema = z.object({
  global: z.array(PermissionSchema),
  teams: z.record(IdSchema, z.array(PermissionSchema)),
});
export type PermissionSnapshot = z.infer<typeof PermissionSnapshotSchema>;

export const KeyKindSchema = z.enum(['api_key', 'personal_token']);
export type KeyKind = z.infer<typeof KeyKindSchema>;

export const ApiKeySchema = z.object({
  id: IdSchema,
  ownerId: IdSchema,
  name: NameSchema,
  kind: KeyKindSchema,
  /** First characters of the secret, shown in lists so people recognise their keys. */
  prefix: z.string(),
  /** sha256 of the secret, hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: TimeSchema,
  createdBy: IdSchema,
  revokedAt: TimeSchema.nullable(),
  /** Only for api_key: the owner's permissions at creation. */
  snapshot: PermissionSnapshotSchema.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const GithubReviewStateSchema = z.enum(['approved', 'rejected']);
export type GithubReviewState = z.infer<typeof GithubReviewStateSchema>;

/** The answer to GitHub for one review: claimed by one instance, then sent (2xx) or failed for good (4xx). */
export const GithubCallbackSchema = z.object({
  state: GithubReviewStateSchema,
  comment: z.string().max(4000),
  /** The instance that holds the claim, and until when; another may take it over after. */
  instance: z.string().min(1).max(100),
  leaseUntil: TimeSchema,
  /** Attempts made so far (recorded when the claim is renewed and when the callback ends). */
  attempts: z.number().int().nonnegative(),
  outcome: z.enum(['sent', 'failed']).optional(),
  /** GitHub's HTTP status for the last attempt (null: no answer). */
  status: z.number().int().nullable().optional(),
  error: z.string().max(1000).nullable().optional(),
  at: TimeSchema.optional(),
});
export type GithubCallback = z.infer<typeof GithubCallbackSchema>;

/**
 * A GitHub deployment protection rule asking Gatehouse to review a workflow run's deployment to
 * an environment: the GitHub context, the version and environment it maps to, and the callback.
 */
export const GithubReviewSchema = z.object({
  id: IdSchema,
  versionId: IdSchema,
  environmentId: IdSchema,
  repository: RepositoryNameSchema,
  ref: z.string().max(255),
  sha: z.string().max(64),
  runId: z.number().int().positive(),
  /** The GitHub environment's name, as GitHub sent it (the callback names it again). */
  environmentName: z.string().max(255),
  callbackUrl: z.string().max(2000),
  installationId: z.number().int().positive(),
  deploymentId: z.number().int().nullable(),
  /** The GitHub event that started the run (push, workflow_dispatch …). */
  event: z.string().max(100).nullable(),
  /** X-GitHub-Delivery of the webhook that asked. */
  deliveryId: z.string().max(100),
  requestedAt: TimeSchema,
  callback: GithubCallbackSchema.nullable(),
});
export type GithubReview = z.infer<typeof GithubReviewSchema>;

export const SettingsSchema = z.object({
  defaultRoleId: IdSchema,
  defaultTeamId: IdSchema,
  defaultChannel: z.string().max(64).nullable(),
  /** Upper bound for access requests. */
  maxAccessDurationMs: z.number().int().positive(),
  /** The default follow-up of approvals (rules may override it). */
  approvalPolicy: ApprovalPolicySchema.optional(),
  /** Access requests nobody decides expire after this long (default 7 days). */
  accessRequestTtlMs: z.number().int().positive().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** An approver's stand-in: the delegate may give the delegator's approval types in [from, until). */
export const DelegationSchema = z.object({
  id: IdSchema,
  delegatorId: IdSchema,
  delegateId: IdSchema,
  /** null = every approval type the delegator holds at decision time. */
  types: z.array(ApprovalTypeSchema).nullable(),
  from: TimeSchema,
  until: TimeSchema,
  createdAt: TimeSchema,
  createdBy: IdSchema,
});
export type Delegation = z.infer<typeof DelegationSchema>;

export const STATE_SCHEMA_VERSION = 1;

export const AccountStateSchema = z.object({
  schema: z.literal(STATE_SCHEMA_VERSION),
  id: IdSchema,
  name: z.string(),
  createdAt: TimeSchema,
  /** Sequence number of the last applied commit (0 = none) and hash of its last event. */
  seq: z.number().int().nonnegative(),
  lastHash: z.string(),
  settings: SettingsSchema,
  users: z.record(z.string(), UserSchema),
  teams: z.record(z.string(), TeamSchema),
  groups: z.record(z.string(), GroupSchema),
  roles: z.record(z.string(), CustomRoleSchema),
  grants: z.record(z.string(), GrantSchema),
  products: z.record(z.string(), ProductSchema),
  environments: z.record(z.string(), EnvironmentSchema),
  rules: z.record(z.string(), DeploymentRuleSchema),
  versions: z.record(z.string(), VersionSchema),
  releases: z.record(z.string(), ReleaseSchema),
  deployments: z.record(z.string(), DeploymentSchema),
  requests: z.record(z.string(), AccessRequestSchema),
  keys: z.record(z.string(), ApiKeySchema),
  delegations: z.record(z.string(), DelegationSchema).optional(),
  /** GitHub deployment reviews by id; absent until the first one. */
  githubReviews: z.record(z.string(), GithubReviewSchema).optional(),
});
export type AccountState = z.infer<typeof AccountStateSchema>;

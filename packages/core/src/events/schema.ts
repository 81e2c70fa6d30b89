import { z } from 'zod';
import {
  AccessRequestSchema,
  AccountStateSchema,
  ApiKeySchema,
  ApprovalTypeSchema,
  CustomRoleSchema,
  DecisionSchema,
  DelegationSchema,
  DeploymentRuleSchema,
  DeploymentSchema,
  EnvironmentSchema,
  EscalationTargetSchema,
  GithubReviewSchema,
  GithubReviewStateSchema,
  GrantSchema,
  GroupSchema,
  IdSchema,
  MessageRefSchema,
  NameSchema,
  ProductSchema,
  ReleaseSchema,
  SettingsSchema,
  TeamSchema,
  TimeSchema,
  UserSchema,
  VersionSchema,
} from '../schemas.js';

/** A user's grants summarised for before/after in role-change events. */
export const RoleAssignmentSchema = z.object({
  roleId: IdSchema,
  teamId: IdSchema.nullable(),
  expiresAt: TimeSchema.nullable(),
  via: z.string().nullable(),
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

/** Users whose roles a change touched, with their roles before and after. */
const RoleChangesSchema = z.array(
  z.object({ userId: IdSchema, before: z.array(RoleAssignmentSchema), after: z.array(RoleAssignmentSchema) }),
);

const ev = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ type: z.literal(type), data });

/** Every kind of state change. The `data` of each carries what changed and, for updates, the previous state. */
export const EventBodySchema = z.discriminatedUnion('type', [
  ev('account.created', z.object({ name: z.string(), settings: SettingsSchema, defaultTeam: TeamSchema })),
  ev('account.settings_changed', z.object({ before: SettingsSchema, after: SettingsSchema })),
  ev('user.added', z.object({ user: UserSchema })),
  ev('user.updated', z.object({ userId: IdSchema, before: UserSchema, after: UserSchema })),
  ev('user.deactivated', z.object({ userId: IdSchema, roles: RoleChangesSchema })),
  ev('user.reactivated', z.object({ userId: IdSchema })),
  ev('team.created', z.object({ team: TeamSchema })),
  ev('team.updated', z.object({ before: TeamSchema, after: TeamSchema })),
  ev('group.created', z.object({ group: GroupSchema })),
  ev('group.renamed', z.object({ groupId: IdSchema, before: NameSchema, after: NameSchema })),
  ev('group.member_added', z.object({ groupId: IdSchema, userId: IdSchema, roles: RoleChangesSchema })),
  ev('group.member_removed', z.object({ groupId: IdSchema, userId: IdSchema, roles: RoleChangesSchema })),
  ev('group.deleted', z.object({ group: GroupSchema, roles: RoleChangesSchema })),
  ev('role.created', z.object({ role: CustomRoleSchema })),
  ev('role.updated', z.object({ before: CustomRoleSchema, after: CustomRoleSchema })),
  ev('role.deleted', z.object({ role: CustomRoleSchema })),
  ev('grant.created', z.object({ grant: GrantSchema, roles: RoleChangesSchema })),
  ev('grant.revoked', z.object({ grant: GrantSchema, roles: RoleChangesSchema })),
  ev('grant.expired', z.object({ grant: GrantSchema, roles: RoleChangesSchema })),
  ev('product.created', z.object({ product: ProductSchema })),
  ev('product.updated', z.object({ before: ProductSchema, after: ProductSchema })),
  ev('environment.created', z.object({ environment: EnvironmentSchema })),
  ev('environment.updated', z.object({ before: EnvironmentSchema, after: EnvironmentSchema })),
  ev('rule.created', z.object({ rule: DeploymentRuleSchema })),
  ev('rule.updated', z.object({ before: DeploymentRuleSchema, after: DeploymentRuleSchema })),
  ev('rule.deleted', z.object({ rule: DeploymentRuleSchema })),
  ev('version.created', z.object({ version: VersionSchema })),
  ev('version.approval_requested', z.object({ versionId: IdSchema, environmentId: IdSchema })),
  ev('version.message_linked', z.object({ versionId: IdSchema, message: MessageRefSchema })),
  ev(
    'version.decided',
    z.object({
      versionId: IdSchema,
      approvalType: ApprovalTypeSchema,
      decision: DecisionSchema,
      reason: z.string().nullable(),
      approverId: IdSchema,
      /** The approver's previous decision for this type, if any. */
      previous: DecisionSchema.nullable(),
      /** A delegate deciding: whose approval this is. */
      onBehalfOf: IdSchema.optional(),
    }),
  ),
  ev('approval.reminded', z.object({ versionId: IdSchema, environmentId: IdSchema, n: z.number().int().positive(), userIds: z.array(IdSchema), missing: z.array(z.string()) })),
  ev('approval.escalated', z.object({ versionId: IdSchema, environmentId: IdSchema, to: EscalationTargetSchema, userIds: z.array(IdSchema), missing: z.array(z.string()) })),
  ev('approval.timed_out', z.object({ versionId: IdSchema, environmentId: IdSchema, outcome: z.enum(['expire', 'reject']), missing: z.array(z.string()) })),
  ev('delegation.created', z.object({ delegation: DelegationSchema })),
  ev('delegation.removed', z.object({ delegation: DelegationSchema })),
  ev('release.created', z.object({ release: ReleaseSchema })),
  ev('release.version_added', z.object({ releaseId: IdSchema, versionId: IdSchema, previousReleaseId: IdSchema.nullable() })),
  ev('release.locked', z.object({ releaseId: IdSchema })),
  ev('release.unlocked', z.object({ releaseId: IdSchema })),
  ev('release.archived', z.object({ releaseId: IdSchema })),
  ev('release.restored', z.object({ releaseId: IdSchema })),
  ev('release.deleted', z.object({ release: ReleaseSchema })),
  ev(
    'release.decided',
    z.object({
      releaseId: IdSchema,
      decision: DecisionSchema,
      reason: z.string().nullable(),
      approverId: IdSchema,
      previous: DecisionSchema.nullable(),
    }),
  ),
  ev('deployment.created', z.object({ deployment: DeploymentSchema })),
  ev(
    'gate.overridden',
    z.object({
      deploymentId: IdSchema,
      versionId: IdSchema,
      environmentId: IdSchema,
      reason: z.string(),
      missing: z.array(z.string()),
    }),
  ),
  ev('access_request.created', z.object({ request: AccessRequestSchema })),
  ev('access_request.approved', z.object({ requestId: IdSchema, grantId: IdSchema })),
  ev('access_request.denied', z.object({ requestId: IdSchema, reason: z.string().nullable() })),
  ev('access_request.expired', z.object({ requestId: IdSchema })),
  ev('api_key.created', z.object({ key: ApiKeySchema })),
  ev('api_key.revoked', z.object({ keyId: IdSchema })),
  ev('github.review_requested', z.object({ review: GithubReviewSchema })),
  ev(
    'github.callback_claimed',
    z.object({
      reviewId: IdSchema,
      state: GithubReviewStateSchema,
      comment: z.string(),
      instance: z.string(),
      leaseUntil: TimeSchema,
      attempts: z.number().int().nonnegative(),
      /** The instance whose claim this one renews or takes over (null: the first claim). */
      previousInstance: z.string().nullable(),
    }),
  ),
  ev('github.callback_sent', z.object({ reviewId: IdSchema, state: GithubReviewStateSchema, instance: z.string(), attempts: z.number().int().positive(), status: z.number().int() })),
  ev(
    'github.callback_failed',
    z.object({ reviewId: IdSchema, state: GithubReviewStateSchema, instance: z.string(), attempts: z.number().int().positive(), status: z.number().int().nullable(), error: z.string() }),
  ),
]);
export type EventBody = z.infer<typeof EventBodySchema>;
export type EventType = EventBody['type'];
export type EventOf<T extends EventType> = Extract<EventBody, { type: T }>;

/** An event as stored: body plus identity, actor, time and the hash chain. */
export const AuditEventSchema = z.intersection(
  EventBodySchema,
  z.object({
    /** `<commit seq>.<index in commit>` */
    id: z.string(),
    seq: z.number().int().positive(),
    actor: IdSchema,
    /** The key the actor used, when the change came through the REST API. */
    keyId: IdSchema.nullable(),
    at: TimeSchema,
    prev: z.string(),
    hash: z.string(),
  }),
);
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const COMMIT_SCHEMA_VERSION = 1;

/** One entry of an account's log: the events of one command, appended atomically. */
export const CommitSchema = z.object({
  v: z.literal(COMMIT_SCHEMA_VERSION),
  seq: z.number().int().positive(),
  events: z.array(AuditEventSchema).min(1),
});
export type Commit = z.infer<typeof CommitSchema>;

export const SnapshotSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  state: AccountStateSchema,
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

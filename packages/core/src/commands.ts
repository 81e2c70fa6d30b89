import { z } from 'zod';
import { APPROVAL_TYPES, ApprovalTypeSchema, PERMISSIONS, PermissionSchema } from './authz/permissions.js';
import { ValidationError } from './errors.js';
import { limitMessage } from './limits.js';
import {
  ApprovalPolicySchema,
  DecisionSchema,
  IdSchema,
  KeyKindSchema,
  MessageRefSchema,
  NameSchema,
  ReasonSchema,
  RepositoryNameSchema,
  RequirementSchema,
  RoleScopeSchema,
  SubjectSchema,
  TimeSchema,
} from './schemas.js';

/**
 * Inputs of every command, validated at the core's boundary whatever the caller (Slack, REST, tests).
 * Only zod is imported here, so the REST contract can reuse these schemas without pulling in storage.
 */
const Duration = z.number().int().min(60_000, 'at least one minute').max(366 * 86_400_000, 'at most a year');

/** A user id; `system` is reserved for the system actor. */
const UserIdSchema = IdSchema.refine((id) => id.toLowerCase() !== 'system', "'system' is reserved and cannot be a user id");

export const EnsureUserInput = z.object({
  userId: UserIdSchema,
  name: z.string().trim().max(120).default(''),
  email: z.string().trim().max(254).nullable().default(null),
  serviceAccount: z.boolean().default(false),
});
export const UserRefInput = z.object({ userId: IdSchema });
/** An administrator adds a user (or a service account) before they ever use Slack. */
export const AddUserInput = EnsureUserInput.extend({
  /** Whether the newcomer gets the default role in the default team (configuration as code declares grants itself). */
  defaultRole: z.boolean().default(true),
});
/** Sets a user's name and email exactly (configuration as code); ensureUser only fills them in. */
export const UpdateUserInput = z.object({ userId: IdSchema, name: z.string().trim().max(120), email: z.string().trim().max(254).nullable() });
export const UpdateTeamInput = z.object({ teamId: IdSchema, name: NameSchema });
export const CreateTeamInput = z.object({ teamId: IdSchema.optional(), name: NameSchema });
/** Members named at creation: more than a 64 kB body holds with Slack ids; add others to the group afterwards. */
export const GROUP_MEMBERS_MAX = 5000;
export const CreateGroupInput = z.object({
  groupId: IdSchema.optional(),
  name: NameSchema,
  members: z.array(IdSchema).max(GROUP_MEMBERS_MAX, `a group is created with at most ${GROUP_MEMBERS_MAX} members; add the others to it afterwards`).default([]),
});
export const GroupMemberInput = z.object({ groupId: IdSchema, userId: IdSchema });
export const GroupRefInput = z.object({ groupId: IdSchema });
export const RenameGroupInput = z.object({ groupId: IdSchema, name: NameSchema });
export const UpdateSettingsInput = z.object({
  defaultRoleId: IdSchema.optional(),
  defaultTeamId: IdSchema.optional(),
  defaultChannel: z.string().max(64).nullable().optional(),
  maxAccessDurationMs: Duration.optional(),
  /** The default follow-up of approvals; null removes it. */
  approvalPolicy: ApprovalPolicySchema.nullable().optional(),
  accessRequestTtlMs: Duration.optional(),
});

/** A role's permissions: at least one, each at most once (so no more than the registry holds). */
const RolePermissions = z
  .array(PermissionSchema)
  .min(1, 'a role needs at least one permission')
  .max(PERMISSIONS.length, `a role has at most the ${PERMISSIONS.length} permissions there are`);
export const CreateRoleInput = z.object({
  /** A stable id (configuration as code names roles by it); generated when omitted. */
  roleId: IdSchema.optional(),
  name: NameSchema,
  description: z.string().trim().max(500).default(''),
  scope: RoleScopeSchema.default('team'),
  permissions: RolePermissions,
});
export const UpdateRoleInput = z.object({
  roleId: IdSchema,
  name: NameSchema.optional(),
  description: z.string().trim().max(500).optional(),
  scope: RoleScopeSchema.optional(),
  permissions: RolePermissions.optional(),
});
export const RoleRefInput = z.object({ roleId: IdSchema });

export const AssignRoleInput = z
  .object({
    subject: SubjectSchema,
    roleId: IdSchema,
    teamId: IdSchema.nullable().default(null),
    /** Either an absolute expiry or a duration from now; neither = permanent. */
    expiresAt: TimeSchema.nullable().default(null),
    durationMs: Duration.optional(),
  })
  .refine((v) => v.expiresAt === null || v.durationMs === undefined, 'give expiresAt or durationMs, not both');
export const RevokeRoleInput = z.union([
  z.object({ grantId: IdSchema }),
  z.object({ subject: SubjectSchema, roleId: IdSchema, teamId: IdSchema.nullable().default(null) }),
]);

const ChannelSchema = z.string().trim().max(64).nullable();
/** GitHub repositories (`owner/name`) mapped to a product; each at most once, compared case-insensitively. */
const RepositoriesSchema = z
  .array(RepositoryNameSchema)
  .max(100)
  .refine((r) => new Set(r.map((x) => x.toLowerCase())).size === r.length, 'each repository may appear once');
export const CreateProductInput = z.object({
  productId: IdSchema.optional(),
  name: NameSchema,
  teamId: IdSchema,
  channel: z.string().max(64).nullable().default(null),
  repositories: RepositoriesSchema.optional(),
});
export const UpdateProductInput = z.object({
  productId: IdSchema,
  name: NameSchema.optional(),
  /** Move the product to another team (product:edit in both). */
  teamId: IdSchema.optional(),
  channel: ChannelSchema.optional(),
  /** The product's GitHub repositories, replacing the list ([] = none). */
  repositories: RepositoriesSchema.optional(),
});
export const CreateEnvironmentInput = z.object({
  environmentId: IdSchema.optional(),
  name: NameSchema,
  productId: IdSchema.nullable().default(null),
  production: z.boolean().default(false),
  channel: ChannelSchema.default(null),
});
export const UpdateEnvironmentInput = z.object({ environmentId: IdSchema, name: NameSchema.optional(), production: z.boolean().optional(), channel: ChannelSchema.optional() });

const Requirements = z
  .array(RequirementSchema)
  .max(APPROVAL_TYPES.length, `a rule requires at most the ${APPROVAL_TYPES.length} approval types there are, each once`)
  .refine((r) => new Set(r.map((x) => x.type)).size === r.length, 'each approval type may appear once');
export const CreateRuleInput = z.object({
  environmentId: IdSchema,
  productId: IdSchema.nullable().default(null),
  requirements: Requirements.default([]),
  requireReleaseApproval: z.boolean().default(false),
  separationOfDuties: z.boolean().default(true),
  /** Reminders, escalation, timeout, delegation: see ApprovalPolicySchema. */
  policy: ApprovalPolicySchema.optional(),
});
export const UpdateRuleInput = z.object({
  ruleId: IdSchema,
  requirements: Requirements.optional(),
  requireReleaseApproval: z.boolean().optional(),
  separationOfDuties: z.boolean().optional(),
  /** null removes the rule's own policy (the account's default applies). */
  policy: ApprovalPolicySchema.nullable().optional(),
});
export const RuleRefInput = z.object({ ruleId: IdSchema });

export const CreateVersionInput = z.object({
  productId: IdSchema,
  version: z
    .string()
    .trim()
    .min(1, 'give a version string, e.g. 1.4.2')
    .max(100, 'at most 100 characters')
    .refine((v) => ![...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'a version string has no control characters (NUL, tabs, line breaks)'),
  releaseId: IdSchema.nullable().default(null),
  /** The commit it was built from, e.g. a git sha. */
  commit: z
    .string()
    .trim()
    .max(64, { error: 'a commit is at most 64 characters', abort: true })
    .regex(/^[0-9A-Za-z._/-]{1,64}$/, 'a sha or ref of at most 64 characters (letters, digits, . _ / -)')
    .optional(),
});
export const RequestApprovalInput = z.object({ versionId: IdSchema, environmentId: IdSchema });
export const LinkMessageInput = z.object({ versionId: IdSchema, message: MessageRefSchema });
export const DecideVersionInput = z
  .object({
    versionId: IdSchema,
    approvalType: ApprovalTypeSchema,
    decision: DecisionSchema,
    reason: z.string().trim().max(1000).nullable().default(null),
  })
  .refine((v) => v.decision === 'approve' || (v.reason !== null && v.reason.length >= 3), {
    message: 'a rejection needs a reason of at least 3 characters',
    path: ['reason'],
  });

/** An approver names a stand-in for a while (`/gatehouse delegate @user [types] until <date>`). */
export const DelegateInput = z.object({
  delegateId: IdSchema,
  /** null = every approval type the delegator holds when a decision is made. */
  types: z.array(ApprovalTypeSchema).min(1).max(APPROVAL_TYPES.length).nullable().default(null),
  from: TimeSchema.optional(),
  until: TimeSchema,
});
export const DelegationRefInput = z.object({ delegationId: IdSchema });
export const FollowUpInput = z.object({ limit: z.number().int().min(1).max(10_000).default(500) });

export const CreateReleaseInput = z.object({ releaseId: IdSchema.optional(), productId: IdSchema, name: NameSchema });
export const ReleaseVersionInput = z.object({ releaseId: IdSchema, versionId: IdSchema });
export const ReleaseRefInput = z.object({ releaseId: IdSchema });
export const DecideReleaseInput = z
  .object({ releaseId: IdSchema, decision: DecisionSchema, reason: z.string().trim().max(1000).nullable().default(null) })
  .refine((v) => v.decision === 'approve' || (v.reason !== null && v.reason.length >= 3), {
    message: 'a rejection needs a reason of at least 3 characters',
    path: ['reason'],
  });

export const EvaluateInput = z.object({ versionId: IdSchema, environmentId: IdSchema });
export const CreateDeploymentInput = z.object({
  versionId: IdSchema,
  environmentId: IdSchema,
  /** Break-glass: deploy through a blocked gate (needs gate:override). */
  override: z.object({ reason: ReasonSchema }).nullable().default(null),
});

export const RequestAccessInput = z.object({
  roleId: IdSchema,
  teamId: IdSchema.nullable().default(null),
  durationMs: Duration,
  reason: ReasonSchema,
});
export const DecideAccessInput = z
  .object({ requestId: IdSchema, approve: z.boolean(), reason: z.string().trim().max(1000).nullable().default(null) })
  .refine((v) => v.approve || (v.reason !== null && v.reason.length >= 3), { message: 'a denial needs a reason', path: ['reason'] });

export const CreateKeyInput = z.object({
  name: NameSchema,
  kind: KeyKindSchema.default('api_key'),
  /** Whose key; default the caller. Another user's key needs api_key:manage. */
  ownerId: IdSchema.optional(),
});
export const KeyRefInput = z.object({ keyId: IdSchema });

export const AuditQueryInput = z.object({
  userId: IdSchema.optional(),
  types: z.array(z.string()).optional(),
  since: TimeSchema.optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
});

export type Input<S extends z.ZodType> = z.input<S>;
/** A command's input after validation (defaults filled in), as the domains' decide functions take it. */
export type Parsed<S extends z.ZodType> = z.output<S>;

/** Validates input against a schema; a ValidationError lists every issue with its path, limits in words. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input, { error: limitMessage });
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
}

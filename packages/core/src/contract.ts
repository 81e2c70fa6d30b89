/**
 * The REST contract shared by the server (packages/slack-bot) and the VS Code extension.
 * This module imports zod and the core's zod-only modules, never storage: the extension
 * bundles it (`@gatehouse/core/contract`) without keyv, SQLite or Redis.
 */
import { z } from 'zod';
import {
  AddUserInput,
  AssignRoleInput,
  CreateDeploymentInput,
  CreateEnvironmentInput,
  CreateGroupInput,
  CreateKeyInput,
  CreateProductInput,
  CreateReleaseInput,
  CreateRoleInput,
  CreateRuleInput,
  CreateTeamInput,
  CreateVersionInput,
  DelegateInput,
  GroupMemberInput,
  ReleaseVersionInput,
  UpdateEnvironmentInput,
  UpdateProductInput,
  UpdateRoleInput,
  UpdateRuleInput,
  UpdateSettingsInput,
  UpdateTeamInput,
} from './commands.js';
import { ERROR_CODES } from './errors.js';
import { APPROVAL_TYPES, PermissionSchema } from './authz/permissions.js';
import {
  DecisionRecordSchema,
  DecisionSchema,
  DeploymentRuleSchema,
  DeploymentSchema,
  EnvironmentSchema,
  GrantSchema,
  GroupSchema,
  ID_MAX,
  IdSchema,
  NAME_MAX,
  USER_NAME_MAX,
  KeyKindSchema,
  MessageRefSchema,
  ProductSchema,
  ReleaseSchema,
  RoleScopeSchema,
  SettingsSchema,
  TeamSchema,
  TimeSchema,
  UserSchema,
} from './schemas.js';

/** Exhaustiveness helper, for the extension too (errors.ts imports nothing). */
export { assertNever } from './errors.js';

export const API_PREFIX = '/api/v1';
export { APPROVAL_TYPES };

/**
 * Every path parameter (`/versions/{id}`, `/groups/{id}/members/{userId}`) is an id: refused
 * (400) when longer than an id can be, before any work; a shorter one that names nothing is a 404.
 */
export const PathIdSchema = z.string().max(ID_MAX, `an id is at most ${ID_MAX} characters`);

// ------------------------------------------------------------------ errors

/** Stable error codes of the REST API (the core's codes plus transport ones). */
export const ApiErrorCodeSchema = z.enum([...ERROR_CODES, 'unauthenticated', 'rate_limited', 'payload_too_large', 'unsupported_media_type', 'internal']);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

export const ApiErrorSchema = z.object({
  error: z.object({
    code: ApiErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

// ------------------------------------------------------------------ who am I

export const RoleGrantDtoSchema = z.object({
  roleId: IdSchema,
  roleName: z.string(),
  teamId: IdSchema.nullable(),
  expiresAt: TimeSchema.nullable(),
  /** Group the role comes through (its id); null = granted directly. */
  via: z.string().nullable(),
  /** The group's name (newer servers; a client shows `via` without it). */
  viaName: z.string().max(NAME_MAX).optional(),
});
export type RoleGrantDto = z.infer<typeof RoleGrantDtoSchema>;

export const ScopeAccessSchema = z.object({
  teamId: IdSchema.nullable(),
  teamName: z.string(),
  roles: z.array(RoleGrantDtoSchema),
  permissions: z.array(PermissionSchema),
});
export type ScopeAccess = z.infer<typeof ScopeAccessSchema>;

export const MeResponseSchema = z.object({
  account: z.object({ id: IdSchema, name: z.string() }),
  user: z.object({ id: IdSchema, name: z.string(), email: z.string().nullable() }),
  key: z.object({ id: IdSchema, name: z.string(), kind: KeyKindSchema }),
  /** The role to show first (highest static role held anywhere). */
  primaryRole: z.string().nullable(),
  /** Global first, then each team the user holds a role in. */
  scopes: z.array(ScopeAccessSchema),
  /** Delegations in force that the user gave or received. */
  delegations: z
    .array(z.object({ id: IdSchema, delegator: z.object({ id: IdSchema, name: z.string() }), delegate: z.object({ id: IdSchema, name: z.string() }), types: z.array(z.enum(APPROVAL_TYPES)).nullable(), from: TimeSchema, until: TimeSchema }))
    .optional(),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const CanQuerySchema = z.object({ permission: PermissionSchema, teamId: IdSchema.optional() });
export const CanResponseSchema = z.object({
  allowed: z.boolean(),
  permission: PermissionSchema,
  teamId: IdSchema.nullable(),
  /** The team's name, when `teamId` names one (newer servers). */
  teamName: z.string().max(NAME_MAX).optional(),
  /** On deny: what is missing, in words (teams and roles by name), and which roles (ids) would give it. */
  reason: z.string().nullable(),
  grantingRoles: z.array(z.string()),
});
export type CanResponse = z.infer<typeof CanResponseSchema>;

// ------------------------------------------------------------------ approvals

export const RequirementStatusSchema = z.object({
  type: z.enum(APPROVAL_TYPES),
  quorum: z.number().int(),
  approvedBy: z.array(IdSchema),
  rejectedBy: z.array(IdSchema),
  missing: z.number().int(),
  satisfied: z.boolean(),
});

export const EvaluationSchema = z.object({
  versionId: IdSchema,
  environmentId: IdSchema,
  ready: z.boolean(),
  rules: z.array(IdSchema),
  separationOfDuties: z.boolean(),
  requirements: z.array(RequirementStatusSchema),
  release: z
    .object({ required: z.boolean(), releaseId: IdSchema.nullable(), approved: z.boolean(), approvedBy: z.array(IdSchema), rejectedBy: z.array(IdSchema) })
    .nullable(),
  missing: z.array(z.string()),
});
export type EvaluationDto = z.infer<typeof EvaluationSchema>;

export const VersionDtoSchema = z.object({
  id: IdSchema,
  productId: IdSchema,
  version: z.string(),
  createdBy: IdSchema,
  createdAt: TimeSchema,
  releaseId: IdSchema.nullable(),
  decisions: z.array(DecisionRecordSchema),
  requestedFor: z.array(IdSchema),
  message: MessageRefSchema.nullable(),
  commit: z.string().optional(),
});
export type VersionDto = z.infer<typeof VersionDtoSchema>;

/** Someone an item mentions, by name; a service account (CI) has no Slack profile and is said to be one. */
export const PersonDtoSchema = z.object({ id: IdSchema, name: z.string().max(USER_NAME_MAX), serviceAccount: z.boolean().optional() });
export type PersonDto = z.infer<typeof PersonDtoSchema>;

export const PendingApprovalDtoSchema = z.object({
  version: VersionDtoSchema,
  /** `teamName` is newer than the rest: an older server sends the team's id only. */
  product: z.object({ id: IdSchema, name: z.string(), teamId: IdSchema, teamName: z.string().max(NAME_MAX).optional() }),
  environment: z.object({ id: IdSchema, name: z.string(), production: z.boolean() }),
  creator: z.object({ id: IdSchema, name: z.string() }),
  evaluation: EvaluationSchema,
  /** Approval types the caller may give now (their own, or through a delegation). */
  canGive: z.array(z.enum(APPROVAL_TYPES)),
  /** When it was requested, when it times out (null: no timeout), whether reminders have started. */
  followUp: z.object({ requestedAt: TimeSchema, dueAt: TimeSchema.nullable(), overdue: z.boolean(), reminders: z.number().int(), escalated: z.boolean() }).optional(),
  /** Whose approval the caller would give through a delegation (ids and names). */
  onBehalfOf: z.array(z.object({ id: IdSchema, name: z.string() })).optional(),
  /**
   * Every user the item mentions by id (creator, approvers and rejecters of the evaluation,
   * delegators in `onBehalfOf`), named. Optional: an older server sends none, and a client then
   * shows the id.
   */
  people: z.array(PersonDtoSchema).optional(),
});
export type PendingApprovalDto = z.infer<typeof PendingApprovalDtoSchema>;

export const PendingApprovalsResponseSchema = z.object({ items: z.array(PendingApprovalDtoSchema) });
export type PendingApprovalsResponse = z.infer<typeof PendingApprovalsResponseSchema>;

const OptionalReasonSchema = z.string().trim().max(1000).nullable().optional();
/** Approving needs no words; rejecting does (for versions and releases alike). */
const hasReasonIfRejected = (v: { decision: 'approve' | 'reject'; reason?: string | null | undefined }) => v.decision === 'approve' || (typeof v.reason === 'string' && v.reason.length >= 3);
const REJECTION_NEEDS_REASON = { message: 'a rejection needs a reason of at least 3 characters', path: ['reason'] };

export const DecisionRequestSchema = z
  .object({
    approvalType: z.enum(APPROVAL_TYPES),
    decision: DecisionSchema,
    reason: OptionalReasonSchema,
  })
  .refine(hasReasonIfRejected, REJECTION_NEEDS_REASON);
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

export const DecisionResponseSchema = z.object({
  /** False when this repeated the approver's latest decision (nothing new recorded). */
  changed: z.boolean(),
  version: VersionDtoSchema,
  evaluations: z.array(EvaluationSchema),
});
export type DecisionResponse = z.infer<typeof DecisionResponseSchema>;

// ------------------------------------------------------------------ CI

export const CreateVersionRequestSchema = CreateVersionInput;
export const CreateVersionResponseSchema = z.object({ version: VersionDtoSchema, created: z.boolean() });
export const ApprovalRequestRequestSchema = z.object({ environmentId: IdSchema });
export const EvaluateQuerySchema = z.object({
  environmentId: IdSchema,
  /** Long-poll: with the ETag of the evaluation you hold (If-None-Match, or `since`), wait up to this many seconds for it to change; 304 when it did not. */
  wait: z.coerce.number().int().min(0).max(300, 'wait at most 300 seconds per request; ask again to wait longer').optional(),
  since: z.string().max(100).optional(),
});
export const CreateDeploymentRequestSchema = CreateDeploymentInput;
export const CreateDeploymentResponseSchema = z.object({ deployment: DeploymentSchema, evaluation: EvaluationSchema });

// ------------------------------------------------------------------ keys

export const CreateKeyRequestSchema = CreateKeyInput;
/** `GET /keys?ownerId=…`: whose keys (default the caller's; `*` every key, with api_key:manage). */
export const KeyListQuerySchema = z.object({
  ownerId: z
    .string()
    .max(ID_MAX, { error: `an id is at most ${ID_MAX} characters`, abort: true })
    .refine((v) => v === '*' || IdSchema.safeParse(v).success, 'ownerId is a user id, or * for every key')
    .optional()
    .describe("a user id, or * for every key (needs api_key:manage); default: the caller's"),
});
export const KeyDtoSchema = z.object({
  id: IdSchema,
  ownerId: IdSchema,
  name: z.string(),
  kind: KeyKindSchema,
  prefix: z.string(),
  createdAt: TimeSchema,
  createdBy: IdSchema,
  revokedAt: TimeSchema.nullable(),
  lastUsedAt: TimeSchema.nullable(),
});
export type KeyDto = z.infer<typeof KeyDtoSchema>;
export const CreateKeyResponseSchema = z.object({ key: KeyDtoSchema, secret: z.string() });
export const KeyListResponseSchema = z.object({ items: z.array(KeyDtoSchema) });

export const HealthResponseSchema = z.object({ ok: z.boolean(), store: z.string(), version: z.string() });

// ------------------------------------------------------------------ administration
//
// Request bodies are the core's command inputs without the id the path names. They refuse unknown
// fields: a misspelt field in a PATCH must be a 400, not a silent "change nothing".

const items = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item) });
/** What a change of someone's roles says besides the grant: `single_admin` while one Admin is left. */
const WarningsSchema = z.array(z.string()).describe("governance warnings, e.g. 'single_admin' while only one active Admin is left");

export const TeamDtoSchema = TeamSchema;
export const TeamListResponseSchema = items(TeamDtoSchema);
export const TeamResponseSchema = z.object({ team: TeamDtoSchema });
export const CreateTeamRequestSchema = CreateTeamInput.strict();
export const UpdateTeamRequestSchema = UpdateTeamInput.omit({ teamId: true }).strict();

export const ProductDtoSchema = ProductSchema;
export const ProductListResponseSchema = items(ProductDtoSchema);
export const ProductResponseSchema = z.object({ product: ProductDtoSchema });
export const CreateProductRequestSchema = CreateProductInput.strict();
export const UpdateProductRequestSchema = UpdateProductInput.omit({ productId: true }).strict();

/** An environment; `channel` null = the product's channel, else the account's. */
export const EnvironmentDtoSchema = EnvironmentSchema.extend({ channel: z.string().max(64).nullable() });
export type EnvironmentDto = z.infer<typeof EnvironmentDtoSchema>;
export const EnvironmentListResponseSchema = items(EnvironmentDtoSchema);
export const EnvironmentResponseSchema = z.object({ environment: EnvironmentDtoSchema });
export const CreateEnvironmentRequestSchema = CreateEnvironmentInput.strict();
export const UpdateEnvironmentRequestSchema = UpdateEnvironmentInput.omit({ environmentId: true }).strict();

export const RuleDtoSchema = DeploymentRuleSchema;
export const RuleListResponseSchema = items(RuleDtoSchema);
export const RuleResponseSchema = z.object({ rule: RuleDtoSchema });
export const CreateRuleRequestSchema = CreateRuleInput.strict();
export const UpdateRuleRequestSchema = UpdateRuleInput.omit({ ruleId: true }).strict();

/** A release with the ids of the versions in it. */
export const ReleaseDtoSchema = ReleaseSchema.extend({ versionIds: z.array(IdSchema) });
export type ReleaseDto = z.infer<typeof ReleaseDtoSchema>;
export const ReleaseListQuerySchema = z.object({ productId: IdSchema.optional() }).strict();
export const ReleaseListResponseSchema = items(ReleaseDtoSchema);
export const ReleaseResponseSchema = z.object({ release: ReleaseDtoSchema });
export const CreateReleaseRequestSchema = CreateReleaseInput.strict();
export const AddReleaseVersionRequestSchema = ReleaseVersionInput.omit({ releaseId: true }).strict();
export const ReleaseDecisionRequestSchema = z
  .object({ decision: DecisionSchema, reason: OptionalReasonSchema })
  .strict()
  .refine(hasReasonIfRejected, REJECTION_NEEDS_REASON);
export const ReleaseDecisionResponseSchema = z.object({
  /** False when this repeated the approver's latest decision. */
  changed: z.boolean(),
  release: ReleaseDtoSchema,
});

export const RoleDtoSchema = z.object({
  id: IdSchema,
  name: z.string(),
  description: z.string(),
  scope: RoleScopeSchema,
  kind: z.enum(['static', 'custom']),
  permissions: z.array(PermissionSchema),
});
export type RoleDto = z.infer<typeof RoleDtoSchema>;
export const HolderDtoSchema = z.object({
  userId: IdSchema,
  teamId: IdSchema.nullable(),
  /** The group the role comes through; null = granted directly. */
  via: IdSchema.nullable(),
  expiresAt: TimeSchema.nullable(),
});
export const RoleListResponseSchema = items(RoleDtoSchema);
export const RoleResponseSchema = z.object({ role: RoleDtoSchema });
export const RoleDetailResponseSchema = z.object({ role: RoleDtoSchema, holders: z.array(HolderDtoSchema) });
export const CreateRoleRequestSchema = CreateRoleInput.strict();
export const UpdateRoleRequestSchema = UpdateRoleInput.omit({ roleId: true }).strict();

export const GrantDtoSchema = GrantSchema;
export const GrantListQuerySchema = z
  .object({
    /** Grants made to this user directly (group grants: groupId; everything in force: GET /users/{id}). */
    userId: IdSchema.optional(),
    groupId: IdSchema.optional(),
    roleId: IdSchema.optional(),
  })
  .strict();
export const GrantListResponseSchema = items(GrantDtoSchema);
export const CreateGrantRequestSchema = AssignRoleInput.strict();
export const RoleChangeResponseSchema = z.object({
  /** The grant created or revoked (the existing one when nothing changed). */
  grant: GrantDtoSchema.nullable(),
  changed: z.boolean(),
  warnings: WarningsSchema,
  /** The grant this one replaced (the same role and scope, held until another time): an extension. */
  replaced: GrantDtoSchema.optional(),
});

export const GroupDtoSchema = GroupSchema;
export const GroupListResponseSchema = items(GroupDtoSchema);
export const GroupResponseSchema = z.object({ group: GroupDtoSchema });
export const CreateGroupRequestSchema = CreateGroupInput.strict();
export const AddGroupMemberRequestSchema = GroupMemberInput.omit({ groupId: true }).strict();
export const GroupMemberResponseSchema = z.object({ group: GroupDtoSchema, changed: z.boolean(), warnings: WarningsSchema });

export const UserDtoSchema = UserSchema;
export const UserListResponseSchema = items(UserDtoSchema);
export const UserResponseSchema = z.object({ user: UserDtoSchema });
/** A user with roles and effective permissions globally and per team (as GET /me shows them). */
export const UserDetailResponseSchema = MeResponseSchema.pick({ primaryRole: true, scopes: true }).extend({ user: UserDtoSchema });
export const CreateUserRequestSchema = AddUserInput.strict();
export const UserChangeResponseSchema = z.object({ user: UserDtoSchema, changed: z.boolean(), warnings: WarningsSchema });

export const SettingsDtoSchema = SettingsSchema;
export const SettingsResponseSchema = z.object({ settings: SettingsDtoSchema });
export const UpdateSettingsRequestSchema = UpdateSettingsInput.strict();

// ---------------------------------------------------------------- configuration as code

/** `POST /config/plan` and `/config/apply`: the configuration document (as JSON) and whether to prune. */
export const ConfigRequestSchema = z
  .object({
    config: z.record(z.string().max(64, 'a key of the configuration document is at most 64 characters'), z.unknown()).describe('the configuration document (see /api/v1/config.schema.json)'),
    prune: z.boolean().default(false).describe('also remove what the document leaves out'),
  })
  .strict();
const ConfigChangeSchema = z.object({
  kind: z.string(),
  op: z.enum(['+', '~', '-']),
  key: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  fields: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
});
export const ConfigPlanSchema = z.object({
  changes: z.array(ConfigChangeSchema),
  refusals: z.array(z.object({ change: ConfigChangeSchema, code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) })),
  kept: z.array(z.object({ kind: z.string(), key: z.string(), reason: z.string() })),
});
export const ConfigApplyResponseSchema = z.object({ applied: z.literal(true), plan: ConfigPlanSchema });

// ---------------------------------------------------------------- pipelines

/** `GET /versions?productId=…&version=…`: the version of a product with that version string (none or one). */
export const FindVersionQuerySchema = z.object({ productId: IdSchema, version: z.string().trim().min(1).max(100) }).strict();
export const VersionListResponseSchema = z.object({ items: z.array(VersionDtoSchema) });
/** `GET /versions/{id}/approvers?environmentId=…`: who could give each approval still missing. */
export const ApproversResponseSchema = z.object({
  items: z.array(z.object({ type: z.enum(APPROVAL_TYPES), missing: z.number().int(), users: z.array(z.object({ id: IdSchema, name: z.string() })) })),
});
export type ApproversResponse = z.infer<typeof ApproversResponseSchema>;

// ---------------------------------------------------------------- delegations

/** `POST /delegations`: the caller names a stand-in for their approval types until a time. */
export const CreateDelegationRequestSchema = DelegateInput.strict();
export const DelegationDtoSchema = z.object({ id: IdSchema, delegatorId: IdSchema, delegateId: IdSchema, types: z.array(z.enum(APPROVAL_TYPES)).nullable(), from: TimeSchema, until: TimeSchema, createdAt: TimeSchema, createdBy: IdSchema });
export const DelegationResponseSchema = z.object({ delegation: DelegationDtoSchema });
export const DelegationListResponseSchema = z.object({ items: z.array(DelegationDtoSchema) });

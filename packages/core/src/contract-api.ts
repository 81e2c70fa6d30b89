/**
 * The REST contract's requests and answers for the people and pipelines who use the API day to
 * day: errors, who am I and what may I do, approvals, CI (versions, evaluations, deployments) and
 * keys. Re-exported whole by contract.ts, which adds the administration, configuration, pipeline
 * and delegation parts. zod and the core's zod-only modules only: the VS Code extension bundles it.
 */
import { z } from 'zod';
import {
  CreateDeploymentInput,
  CreateKeyInput,
  CreateVersionInput,
} from './commands.js';
import { ERROR_CODES } from './errors.js';
import { APPROVAL_TYPES, PermissionSchema } from './authz/permissions.js';
import {
  DecisionRecordSchema,
  DecisionSchema,
  DeploymentSchema,
  ID_MAX,
  IdSchema,
  NAME_MAX,
  USER_NAME_MAX,
  KeyKindSchema,
  MessageRefSchema,
  TimeSchema,
} from './schemas.js';


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

export const OptionalReasonSchema = z.string().trim().max(1000).nullable().optional();
/** Approving needs no words; rejecting does (for versions and releases alike). */
export const hasReasonIfRejected = (v: { decision: 'approve' | 'reject'; reason?: string | null | undefined }) => v.decision === 'approve' || (typeof v.reason === 'string' && v.reason.length >= 3);
export const REJECTION_NEEDS_REASON = { message: 'a rejection needs a reason of at least 3 characters', path: ['reason'] };

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

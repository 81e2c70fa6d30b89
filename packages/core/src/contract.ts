/**
 * The REST contract shared by the server (packages/slack-bot) and the VS Code extension.
 * This module imports zod and the core's zod-only modules, never storage: the extension
 * bundles it (`@gatehouse/core/contract`) without keyv, SQLite or Redis.
 */
import { z } from 'zod';
import { CreateDeploymentInput, CreateKeyInput, CreateVersionInput } from './commands.js';
import { ERROR_CODES } from './errors.js';
import { APPROVAL_TYPES, PermissionSchema } from './authz/permissions.js';
import {
  DecisionRecordSchema,
  DecisionSchema,
  DeploymentSchema,
  IdSchema,
  KeyKindSchema,
  MessageRefSchema,
  TimeSchema,
} from './schemas.js';

/** Exhaustiveness helper, for the extension too (errors.ts imports nothing). */
export { assertNever } from './errors.js';

export const API_PREFIX = '/api/v1';
export { APPROVAL_TYPES };

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
  /** Group the role comes through; null = granted directly. */
  via: z.string().nullable(),
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
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const CanQuerySchema = z.object({ permission: PermissionSchema, teamId: IdSchema.optional() });
export const CanResponseSchema = z.object({
  allowed: z.boolean(),
  permission: PermissionSchema,
  teamId: IdSchema.nullable(),
  /** On deny: what is missing, in words, and which roles would give it. */
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
});
export type VersionDto = z.infer<typeof VersionDtoSchema>;

export const PendingApprovalDtoSchema = z.object({
  version: VersionDtoSchema,
  product: z.object({ id: IdSchema, name: z.string(), teamId: IdSchema }),
  environment: z.object({ id: IdSchema, name: z.string(), production: z.boolean() }),
  creator: z.object({ id: IdSchema, name: z.string() }),
  evaluation: EvaluationSchema,
  /** Approval types the caller may give now. */
  canGive: z.array(z.enum(APPROVAL_TYPES)),
});
export type PendingApprovalDto = z.infer<typeof PendingApprovalDtoSchema>;

export const PendingApprovalsResponseSchema = z.object({ items: z.array(PendingApprovalDtoSchema) });
export type PendingApprovalsResponse = z.infer<typeof PendingApprovalsResponseSchema>;

export const DecisionRequestSchema = z
  .object({
    approvalType: z.enum(APPROVAL_TYPES),
    decision: DecisionSchema,
    reason: z.string().trim().max(1000).nullable().optional(),
  })
  .refine((v) => v.decision === 'approve' || (typeof v.reason === 'string' && v.reason.length >= 3), {
    message: 'a rejection needs a reason of at least 3 characters',
    path: ['reason'],
  });
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
export const EvaluateQuerySchema = z.object({ environmentId: IdSchema });
export const CreateDeploymentRequestSchema = CreateDeploymentInput;
export const CreateDeploymentResponseSchema = z.object({ deployment: DeploymentSchema, evaluation: EvaluationSchema });

// ------------------------------------------------------------------ keys

export const CreateKeyRequestSchema = CreateKeyInput;
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

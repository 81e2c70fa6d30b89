/**
 * The REST contract shared by the server (packages/slack-bot) and the VS Code extension.
 * This module imports zod and the core's zod-only modules, never storage: the extension
 * bundles it (`@gatehouse/core/contract`) without keyv, SQLite or Redis.
 */
import { z } from 'zod';
import {
  AddUserInput,
  AssignRoleInput,
  CreateEnvironmentInput,
  CreateGroupInput,
  CreateProductInput,
  CreateReleaseInput,
  CreateRoleInput,
  CreateRuleInput,
  CreateTeamInput,
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
import { APPROVAL_TYPES, PermissionSchema } from './authz/permissions.js';
import {
  DecisionSchema,
  DeploymentRuleSchema,
  EnvironmentSchema,
  GrantSchema,
  GroupSchema,
  IdSchema,
  ProductSchema,
  ReleaseSchema,
  RoleScopeSchema,
  SettingsSchema,
  TeamSchema,
  TimeSchema,
  UserSchema,
} from './schemas.js';

import { MeResponseSchema, OptionalReasonSchema, REJECTION_NEEDS_REASON, VersionDtoSchema, hasReasonIfRejected } from './contract-api.js';

export * from './contract-api.js';

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

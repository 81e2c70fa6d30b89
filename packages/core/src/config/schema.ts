import { z } from 'zod';
import { APPROVAL_TYPES, ApprovalTypeSchema, PermissionSchema } from '../authz/permissions.js';
import { IdSchema, NameSchema, RepositoryNameSchema, RoleScopeSchema, WorkingHoursSchema } from '../schemas.js';
import { DurationText } from './duration.js';

/**
 * An account's configuration as code: what an administrator declares (settings, teams, users and
 * service accounts, groups, custom roles, grants, products, environments, deployment rules).
 * History — versions, releases, decisions, deployments, keys, access requests — stays out.
 * This zod schema is the source of truth; the JSON Schema editors use is generated from it.
 */

export const CONFIG_VERSION = 1;

const Channel = z.string().trim().min(1).max(64).nullable().describe('Slack channel id (C…) or null');
const Email = z.string().trim().max(254).nullable();

/** What happens to approvals nobody gives (see ApprovalPolicySchema), with durations as text. */
export const ConfigFollowUpSchema = z
  .object({
    remindAfter: DurationText.optional().describe('first reminder to the approvers this long after approval was requested'),
    remindEvery: DurationText.optional().describe('then again this often'),
    workingHours: WorkingHoursSchema.optional().describe('remind only in these hours and weekdays (1 Monday … 7 Sunday) of a time zone'),
    escalateAfter: DurationText.optional(),
    escalateTo: z
      .union([z.object({ group: IdSchema }).strict(), z.object({ role: IdSchema }).strict(), z.object({ channel: z.string().min(1).max(64) }).strict()])
      .optional()
      .describe('a group, the holders of a role, or a channel'),
    timeoutAfter: DurationText.optional(),
    timeoutOutcome: z.enum(['expire', 'reject']).optional().describe('expire: blocked until asked again; reject: counts as rejected'),
    notify: z.enum(['dm', 'mention', 'none']).optional().describe('how approvers are asked: a DM each, a mention in the channel message, or neither'),
    delegation: z.boolean().optional().describe('false forbids approving on behalf of someone'),
  })
  .strict();

export const ConfigSettingsSchema = z
  .object({
    defaultRole: IdSchema.describe('role newcomers get in the default team'),
    defaultTeam: IdSchema.describe('team newcomers land in'),
    approvalsChannel: Channel.describe('channel for approval messages and access requests when a product or environment names none'),
    maxAccessHours: z.number().int().min(1).max(8784).describe('longest time-bound access a user may request, in hours'),
    followUp: ConfigFollowUpSchema.describe('the default follow-up of approvals; rules may override it'),
    accessRequestExpiry: DurationText.describe('access requests nobody decides expire after this long (default 7d)'),
  })
  .strict();

export const ConfigTeamSchema = z.object({ name: NameSchema }).strict();

export const ConfigUserSchema = z
  .object({
    name: z.string().trim().max(120).default(''),
    email: Email.default(null),
    active: z.boolean().default(true).describe('false deactivates the user (their grants stop counting)'),
  })
  .strict();

export const ConfigServiceAccountSchema = z.object({ name: z.string().trim().max(120).default(''), active: z.boolean().default(true) }).strict();

export const ConfigGroupSchema = z.object({ name: NameSchema, members: z.array(IdSchema).default([]).describe('user ids; the group holds exactly these') }).strict();

export const ConfigRoleSchema = z
  .object({
    name: NameSchema,
    description: z.string().trim().max(500).default(''),
    scope: RoleScopeSchema.default('team').describe('global roles are granted without a team, team roles in one'),
    permissions: z.array(PermissionSchema).min(1, 'a role needs at least one permission'),
  })
  .strict();

/** A grant: exactly one of user or group, a role, optionally a team and an expiry. */
export const ConfigGrantSchema = z
  .object({
    user: IdSchema.optional(),
    group: IdSchema.optional(),
    role: IdSchema,
    team: IdSchema.nullable().default(null).describe('null or absent = global'),
    expires: z.iso.datetime({ offset: true }).max(40, 'a time is at most 40 characters, e.g. 2026-07-01T18:00:00Z').nullable().default(null).describe('ISO 8601 time the grant ends; null = permanent'),
  })
  .strict()
  .refine((g) => (g.user === undefined) !== (g.group === undefined), { message: 'name exactly one of user or group', path: ['user'] });

export const ConfigProductSchema = z
  .object({
    name: NameSchema,
    team: IdSchema,
    channel: Channel.default(null),
    repositories: z
      .array(RepositoryNameSchema)
      .refine((r) => new Set(r.map((x) => x.toLowerCase())).size === r.length, 'each repository may appear once')
      .default([])
      .describe('GitHub repositories (owner/name) whose deployment protection rule reviews become versions of this product; a repository belongs to one product'),
  })
  .strict();

export const ConfigEnvironmentSchema = z
  .object({
    name: NameSchema,
    production: z.boolean().default(false),
    product: IdSchema.nullable().default(null).describe('null = every product may deploy to it'),
    channel: Channel.default(null),
  })
  .strict();

const Quorums = z
  .partialRecord(ApprovalTypeSchema, z.number().int().min(1).max(20))
  .describe(`approvals required per type (${APPROVAL_TYPES.join(', ')}): how many distinct approvers`);

export const ConfigRuleSchema = z
  .object({
    environment: IdSchema,
    product: IdSchema.nullable().default(null).describe('null = every product deploying to the environment'),
    require: Quorums.default({}),
    separationOfDuties: z.boolean().default(true).describe("the version's creator cannot approve it"),
    releaseApproval: z.boolean().default(false).describe('the version must be in an approved release'),
    followUp: ConfigFollowUpSchema.optional().describe("this rule's reminders, escalation, timeout and delegation (absent: the account's default)"),
  })
  .strict();

export const ConfigDocSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    settings: ConfigSettingsSchema.partial().optional(),
    teams: z.record(IdSchema, ConfigTeamSchema).default({}),
    users: z.record(IdSchema, ConfigUserSchema).default({}),
    serviceAccounts: z.record(IdSchema, ConfigServiceAccountSchema).default({}),
    groups: z.record(IdSchema, ConfigGroupSchema).default({}),
    roles: z.record(IdSchema, ConfigRoleSchema).default({}).describe('custom roles (the static roles are built in)'),
    grants: z.array(ConfigGrantSchema).default([]),
    products: z.record(IdSchema, ConfigProductSchema).default({}),
    environments: z.record(IdSchema, ConfigEnvironmentSchema).default({}),
    rules: z.array(ConfigRuleSchema).default([]),
  })
  .strict();

export type ConfigDoc = z.output<typeof ConfigDocSchema>;
export type ConfigDocInput = z.input<typeof ConfigDocSchema>;
export type ConfigGrant = z.output<typeof ConfigGrantSchema>;
export type ConfigRule = z.output<typeof ConfigRuleSchema>;

/** The JSON Schema of the file, for editors (`# yaml-language-server: $schema=…`). */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(ConfigDocSchema, { io: 'input', unrepresentable: 'any' }), title: 'Gatehouse account configuration' };
}

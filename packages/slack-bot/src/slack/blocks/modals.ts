import type { ApprovalType, GatehouseError, Permission, RoleDefinition, Team } from '@gatehouse/core';
import { PERMISSIONS, closePermissions } from '@gatehouse/core';
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import { clip, esc } from '../format.js';
import { VIEW } from '../ids.js';
import { formatDuration } from '../parse.js';
import { context, LIMITS, option, section } from './common.js';
import { TYPE_LABEL } from './approval.js';
import type { RefusalFields, StateValues } from './form.js';
import { ReplyTo, input, modal, pickerInput, refusalField, selected, textValue as text, valueAt } from './form.js';

/**
 * The modals (assign a role, reject with a reason, deny a request, request access, edit a
 * custom role) and the zod readers of their submissions. Block and action ids live here only.
 */

function reasonInput(label: string): InputBlock {
  return input('reason', label, { type: 'plain_text_input', action_id: 'v', multiline: true, min_length: 3, max_length: 1000 });
}

// ------------------------------------------------------------------ reject a version / release

export const RejectVersionMeta = ReplyTo.extend({ versionId: z.string(), type: z.string(), ts: z.string().nullable().default(null) });
export type RejectVersionMeta = z.infer<typeof RejectVersionMeta>;

export function rejectVersionView(meta: RejectVersionMeta, title: string, type: ApprovalType): ModalView {
  return modal(VIEW.rejectVersion, 'Reject', 'Reject', [section(`Reject *${TYPE_LABEL[type]}* for *${esc(clip(title, 200))}*. The reason goes to the creator and the thread.`), reasonInput('Reason')], meta);
}

export const RejectReleaseMeta = ReplyTo.extend({ releaseId: z.string(), ts: z.string().nullable().default(null) });
export type RejectReleaseMeta = z.infer<typeof RejectReleaseMeta>;

export function rejectReleaseView(meta: RejectReleaseMeta, name: string): ModalView {
  return modal(VIEW.rejectRelease, 'Reject release', 'Reject', [section(`Reject release *${esc(clip(name, 200))}*.`), reasonInput('Reason')], meta);
}

/** `ts`: the approvers' message the Deny… button was on; `list`: it was on the `requests` list (redrawn through the response_url). */
export const DenyAccessMeta = ReplyTo.extend({ requestId: z.string(), ts: z.string().nullable().default(null), list: z.boolean().default(false) });
export type DenyAccessMeta = z.infer<typeof DenyAccessMeta>;

export function denyAccessView(meta: DenyAccessMeta, summary: string): ModalView {
  return modal(VIEW.denyAccess, 'Deny access', 'Deny', [section(clip(summary, 2000)), reasonInput('Why (sent to the requester)')], meta);
}

/** The three modals above have one input: every refusal shows on it. */
export const REASON_FIELDS: RefusalFields = { fallback: 'reason' };

/** The reason typed into any of the three modals above. */
export function readReason(values: StateValues): string {
  return text(values, 'reason');
}

// ------------------------------------------------------------------ pickers shared by assign / request

const DURATIONS = [3_600_000, 4 * 3_600_000, 8 * 3_600_000, 86_400_000, 3 * 86_400_000, 7 * 86_400_000, 30 * 86_400_000];

const GLOBAL = option('Global (every team)', '*');

/**
 * The pickers whose lists can grow past what a static select shows (100): the teams (and Global),
 * the roles, the roles one may request (not Admin). Each names its options' source (see pickerInput).
 */
export const PICKERS = {
  teams: (_roles: readonly RoleDefinition[], teams: readonly Team[]) => [GLOBAL, ...teams.map((t) => option(t.name, t.id))],
  roles: (roles: readonly RoleDefinition[]) => roles.map(roleOption),
  requestable_roles: (roles: readonly RoleDefinition[]) => roles.filter((r) => r.id !== 'admin').map(roleOption),
} as const satisfies Record<string, (roles: readonly RoleDefinition[], teams: readonly Team[]) => PlainTextOption[]>;
export type PickerSource = keyof typeof PICKERS;

function roleOption(r: RoleDefinition): PlainTextOption {
  return option(`${r.name}${r.kind === 'custom' ? ` (custom, ${r.scope})` : ''}`, r.id);
}

/** A picker of one of PICKERS, with every option reachable however long the list. */
function picker(blockId: string, label: string, source: PickerSource, roles: readonly RoleDefinition[], teams: readonly Team[], opts: { initial?: PlainTextOption; hint?: string } = {}): InputBlock {
  return pickerInput(blockId, label, PICKERS[source](roles, teams), { source, ...opts });
}
function durationOptions(permanent: boolean): PlainTextOption[] {
  return [...(permanent ? [option('Permanent', '0')] : []), ...DURATIONS.map((ms) => option(formatDuration(ms), String(ms)))];
}

// ------------------------------------------------------------------ assign a role

export function assignRoleView(meta: ReplyTo, roles: readonly RoleDefinition[], teams: readonly Team[]): ModalView {
  return modal(
    VIEW.assignRole,
    'Assign a role',
    'Assign',
    [
      input('user', 'User', { type: 'users_select', action_id: 'v' }),
      picker('role', 'Role', 'roles', roles, teams),
      picker('team', 'Team', 'teams', roles, teams, { initial: GLOBAL, hint: 'Global grants count in every team' }),
      input('expiry', 'Expires after', { type: 'static_select', action_id: 'v', options: durationOptions(true), initial_option: option('Permanent', '0') }),
      context('The user is told by DM. Governance applies: you cannot change your own roles or grant permissions you do not hold.'),
    ],
    meta,
  );
}

/** Where the core's refusals of an assignment show in its form (governance rules 1–4, scope, inactive users). */
export const ASSIGN_FIELDS: RefusalFields = {
  fallback: 'user',
  codes: { self_change: 'user', user_inactive: 'user', escalation: 'role', role_scope: 'team', forbidden: 'team', last_admin: 'expiry' },
  entities: { user: 'user', group: 'user', role: 'role', team: 'team' },
  paths: { subject: 'user', roleId: 'role', teamId: 'team', expiresAt: 'expiry', durationMs: 'expiry' },
};

export interface AssignInput {
  userId: string;
  roleId: string;
  teamId: string | null;
  durationMs: number | null;
}

/** Reads the assign form; field errors (block_id → message) when something is missing. */
export function readAssign(values: StateValues): { ok: true; input: AssignInput } | { ok: false; errors: Record<string, string> } {
  const userId = valueAt(values, 'user')?.selected_user ?? null;
  const roleId = selected(values, 'role');
  const team = selected(values, 'team') ?? '*';
  const duration = Number(selected(values, 'expiry') ?? '0');
  const errors: Record<string, string> = {};
  if (!userId) errors['user'] = 'Pick a user';
  if (!roleId) errors['role'] = 'Pick a role';
  if (!userId || !roleId) return { ok: false, errors };
  return { ok: true, input: { userId, roleId, teamId: team === '*' ? null : team, durationMs: duration > 0 ? duration : null } };
}

// ------------------------------------------------------------------ request access

export function requestAccessView(meta: ReplyTo, roles: readonly RoleDefinition[], teams: readonly Team[]): ModalView {
  return modal(
    VIEW.requestAccess,
    'Request access',
    'Request',
    [
      picker('role', 'Role', 'requestable_roles', roles, teams),
      picker('team', 'Team', 'teams', roles, teams, { initial: GLOBAL }),
      input('duration', 'For', { type: 'static_select', action_id: 'v', options: durationOptions(false), initial_option: option(formatDuration(8 * 3_600_000), String(8 * 3_600_000)) }),
      reasonInput('Because'),
      context('Administrators approve or deny in Slack; the access ends by itself when the time is up.'),
    ],
    meta,
  );
}

/** Where the core's refusals of an access request show in its form. */
export const REQUEST_FIELDS: RefusalFields = {
  fallback: 'role',
  codes: { role_scope: 'team' },
  entities: { role: 'role', team: 'team' },
  paths: { roleId: 'role', teamId: 'team', durationMs: 'duration', reason: 'reason' },
};

export interface RequestInput {
  roleId: string;
  teamId: string | null;
  durationMs: number;
  reason: string;
}

export function readRequest(values: StateValues): { ok: true; input: RequestInput } | { ok: false; errors: Record<string, string> } {
  const roleId = selected(values, 'role');
  const team = selected(values, 'team') ?? '*';
  const durationMs = Number(selected(values, 'duration') ?? '0');
  const reason = text(values, 'reason');
  const errors: Record<string, string> = {};
  if (!roleId) errors['role'] = 'Pick a role';
  if (!(durationMs > 0)) errors['duration'] = 'Pick how long';
  if (reason.length < 3) errors['reason'] = 'Give a reason of at least 3 characters';
  if (!roleId || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, input: { roleId, teamId: team === '*' ? null : team, durationMs, reason } };
}

// ------------------------------------------------------------------ custom role editor

/** Permissions grouped by resource (`version:approve:qa` → `version`), in registry order. */
export function permissionGroups(): [string, Permission[]][] {
  const groups = new Map<string, Permission[]>();
  for (const p of PERMISSIONS) {
    const resource = p.slice(0, p.indexOf(':'));
    groups.set(resource, [...(groups.get(resource) ?? []), p]);
  }
  return [...groups.entries()];
}

/** The role editor's first checkbox group (where "no permission" shows). */
function firstPermissionBlock(): string {
  return `perm:${permissionGroups()[0]?.[0] ?? 'product'}:0`;
}

/** The checkbox group of the role editor that holds `permission` (see roleEditorView). */
function permissionBlock(permission: string): string | null {
  for (const [resource, perms] of permissionGroups()) {
    const i = (perms as readonly string[]).indexOf(permission);
    if (i >= 0) return `perm:${resource}:${i - (i % LIMITS.checkboxOptions)}`;
  }
  return null;
}

/**
 * Where the core's refusals of a custom role show in the editor: a permission the author does not
 * hold on its checkbox group (one that was checked, rather than one it implies), a name taken on
 * the name, a scope its grants forbid on the scope.
 */
export function roleEditorField(err: GatehouseError, input: RoleEditorInput): string {
  const missing = z.object({ missing: z.array(z.string()).min(1) }).safeParse(err.details);
  if (err.code === 'escalation' && missing.success) {
    const first = missing.data.missing.find((p) => (input.permissions as readonly string[]).includes(p)) ?? missing.data.missing[0] ?? '';
    return permissionBlock(first) ?? 'name';
  }
  return refusalField(err, { fallback: 'name', codes: { role_scope: 'scope' }, paths: { name: 'name', description: 'description', scope: 'scope', permissions: firstPermissionBlock() } });
}

export const RoleEditorMeta = ReplyTo.extend({ roleId: z.string().nullable().default(null) });
export type RoleEditorMeta = z.infer<typeof RoleEditorMeta>;

/**
 * The custom-role editor: name, description, scope and one checkbox group per resource (a
 * checkboxes element holds at most 10 options, so the registry is split by resource).
 */
export function roleEditorView(meta: RoleEditorMeta, role: RoleDefinition | null): ModalView {
  const held: ReadonlySet<string> = closePermissions(role?.permissions ?? []);
  const scopeOptions = [option('Team: granted in one team at a time', 'team'), option('Global: granted account-wide', 'global')];
  const blocks: KnownBlock[] = [
    input('name', 'Name', { type: 'plain_text_input', action_id: 'v', max_length: 80, ...(role ? { initial_value: role.name } : {}) }),
    input('description', 'Description', { type: 'plain_text_input', action_id: 'v', max_length: 500, ...(role?.description ? { initial_value: role.description } : {}) }, true),
    input('scope', 'Scope', { type: 'radio_buttons', action_id: 'v', options: scopeOptions, initial_option: role?.scope === 'global' ? scopeOptions[1] : scopeOptions[0] }),
    context('Allowed = checked; everything else is Not allowed. Any action on a resource also allows viewing it. You can only include permissions you hold yourself.'),
  ];
  for (const [resource, perms] of permissionGroups()) {
    for (let i = 0; i < perms.length; i += LIMITS.checkboxOptions) {
      const chunk = perms.slice(i, i + LIMITS.checkboxOptions);
      const options = chunk.map((p) => option(p.slice(resource.length + 1).replace(/:/g, ' '), p));
      const initial = options.filter((o) => held.has(o.value ?? ''));
      blocks.push(
        input(`perm:${resource}:${i}`, resource.replace(/_/g, ' '), { type: 'checkboxes', action_id: 'v', options, ...(initial.length ? { initial_options: initial } : {}) }, true),
      );
    }
  }
  return modal(VIEW.roleEditor, role ? 'Edit role' : 'New custom role', role ? 'Save' : 'Create', blocks, meta);
}

export interface RoleEditorInput {
  name: string;
  description: string;
  scope: 'team' | 'global';
  permissions: Permission[];
}

export function readRoleEditor(values: StateValues): { ok: true; input: RoleEditorInput } | { ok: false; errors: Record<string, string> } {
  const name = text(values, 'name');
  const description = text(values, 'description');
  const scope = selected(values, 'scope') === 'global' ? 'global' : 'team';
  const chosen = new Set<string>();
  for (const [blockId, v] of Object.entries(values)) {
    if (!blockId.startsWith('perm:')) continue;
    for (const o of v['v']?.selected_options ?? []) chosen.add(o.value);
  }
  const permissions = PERMISSIONS.filter((p) => chosen.has(p));
  const errors: Record<string, string> = {};
  if (!name) errors['name'] = 'Give the role a name';
  if (permissions.length === 0) errors[firstPermissionBlock()] = 'Check at least one permission';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, input: { name, description, scope, permissions } };
}

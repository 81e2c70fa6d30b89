import type { AccessReview, AuditEvent, CreatedKey, Delegation, Group, Permission, RoleChangeResult, RoleDefinition, Settings, VerifyResult } from '@gatehouse/core';
import { PERMISSIONS, closePermissions } from '@gatehouse/core';
import type { MeResponse, ScopeAccess } from '@gatehouse/core/contract';
import type { Names } from '../format.js';
import { TYPE_LABEL, environmentName, esc, groupName, missingText, nameAndId, productName, reasonText, roleName, teamName, userName, versionName, when, who } from '../format.js';
import { usage } from '../messages.js';
import { formatDuration } from '../parse.js';
import { ruleSummary, ruleTarget } from './catalog.js';
import type { Message } from './common.js';
import { reply } from './common.js';
import { own } from '../../rest/lookup.js';

/** Pure renderers of the slash command's answers (all ephemeral). */

/** `version: view, create, approve:qa` — permissions grouped by resource, one line each. */
export function permissionLines(perms: readonly Permission[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of perms) {
    const i = p.indexOf(':');
    const r = p.slice(0, i);
    groups.set(r, [...(groups.get(r) ?? []), p.slice(i + 1)]);
  }
  return [...groups.entries()].map(([r, actions]) => `\`${r}\`: ${actions.join(', ')}`);
}

const delegatedTypes = (d: Delegation) => (d.types ? d.types.map((t) => TYPE_LABEL[t]).join(', ') : 'all their approvals');

/** One line per delegation in force that the user gave or received. */
export function delegationLines(list: readonly Delegation[], userId: string): string[] {
  return list.map((d) => (d.delegatorId === userId ? `• You → ${who(d.delegateId)}: ${delegatedTypes(d)} until ${when(d.until)} (\`${d.id}\`)` : `• ${who(d.delegatorId)} → you: ${delegatedTypes(d)} until ${when(d.until)}`));
}

export function helpMessage(cmd: string): Message {
  return reply(`*Gatehouse* — roles and release approvals.\n${Object.values(usage(cmd)).map((u) => `• ${u}`).join('\n')}\nDurations look like \`30m\`, \`8h\`, \`2d\`, \`1w\`. Teams, products, environments and releases are named by id or name; channels with #.`);
}

export function usageMessage(cmd: string, sub: string, problem?: string): Message {
  const u = usage(cmd)[sub] ?? usage(cmd)['help'] ?? '';
  return reply(`${problem ? `:memo: ${problem}\n` : ''}Usage: ${u}\n\`${cmd} help\` lists everything.`);
}

/** The roles held in one scope (globally or in a team), with their end and group: `Developer (until …)`. */
export function scopeRoles(s: ScopeAccess): string {
  return s.roles.map((r) => `${esc(r.roleName)}${r.expiresAt ? ` (until ${when(r.expiresAt)})` : ''}${r.via ? ` (via group ${esc(r.viaName ?? r.via)})` : ''}`).join(', ');
}

export function whoamiMessage(me: Omit<MeResponse, 'key'>, singleAdmin: boolean): Message {
  const lines = [`*${esc(me.user.name || me.user.id)}* (${who(me.user.id)}) in *${esc(me.account.name)}* — ${me.primaryRole ? `primary role: *${esc(me.primaryRole)}*` : 'no role'}`];
  for (const s of me.scopes) {
    lines.push(`\n*${esc(s.teamName)}* — roles: ${scopeRoles(s) || '—'}`);
    lines.push(...permissionLines(s.permissions).map((l) => `    ${l}`));
  }
  const delegations = me.delegations ?? [];
  if (delegations.length) {
    lines.push('\n*Delegations*');
    for (const d of delegations) lines.push(`• ${d.delegator.id === me.user.id ? 'You' : esc(d.delegator.name)} → ${d.delegate.id === me.user.id ? 'you' : esc(d.delegate.name)}: ${d.types ? d.types.map((t) => TYPE_LABEL[t]).join(', ') : 'all approvals'} until ${when(d.until)}`);
  }
  if (singleAdmin) lines.push('\n:warning: This account has a single Admin: make a second one so it never gets locked out.');
  return reply(lines.join('\n'));
}

/**
 * What `assign` did, in one sentence: the subject now holds the role, its expiry was extended (or
 * set), or they held it already and nothing changed — then, when they hold it longer than
 * `asked` (the expiry asked for; null = permanent), how to shorten it. `subject` is mrkdwn.
 */
export function assignedText(n: Names, subject: string, roleId: string, teamId: string | null, res: RoleChangeResult, asked: number | null): string {
  const what = `*${esc(roleName(n, roleId))}* ${teamId === null ? 'globally' : `in *${esc(teamName(n, teamId))}*`}`;
  const until = (t: number | null) => (t === null ? 'permanently' : `until ${when(t)}`);
  const held = res.grant?.expiresAt ?? null;
  if (!res.changed) {
    const longer = held === null ? asked !== null : asked !== null && asked < held;
    return `${subject} already holds ${what} ${until(held)}; nothing changed.${longer ? ' To end it sooner, revoke it and assign it again.' : ''}`;
  }
  const was = res.replaced ? res.replaced.expiresAt : undefined;
  if (was === undefined) return `:white_check_mark: ${subject} now holds ${what}${held === null ? '' : ` ${until(held)}`}.`;
  const extended = held === null || (was !== null && held > was);
  return `:white_check_mark: ${extended ? 'Extended' : 'Changed'}: ${subject} holds ${what} ${until(held)} (it was ${was === null ? 'permanent' : until(was)}).`;
}

export function rolesMessage(roles: readonly RoleDefinition[]): Message {
  const lines = roles.map((r) => `• ${nameAndId(r.name, r.id)} — ${r.kind === 'static' ? 'static' : `custom, ${r.scope}`}: ${esc(r.description || `${r.permissions.length} permissions`)}`);
  return reply(`*Roles* (${roles.length})\n${lines.join('\n')}\nDetails: \`role <name>\`.`);
}

export function roleMessage(r: RoleDefinition): Message {
  const allowed = PERMISSIONS.filter((p) => closePermissions(r.permissions).has(p));
  const kind = r.kind === 'static' ? 'static (ships with Gatehouse; cannot be edited, renamed or deleted)' : `custom, granted ${r.scope === 'team' ? 'in one team at a time' : 'globally'}`;
  return reply(`${nameAndId(r.name, r.id)} — ${kind}\n${esc(r.description)}\n*Allowed* (${allowed.length}):\n${permissionLines(allowed).map((l) => `• ${l}`).join('\n')}\nEverything else is Not allowed.`);
}

export function holdersMessage(n: Names, role: RoleDefinition, holders: readonly { userId: string; teamId: string | null; via: string | null; expiresAt: number | null }[]): Message {
  if (holders.length === 0) return reply(`Nobody holds *${esc(role.name)}*.`);
  const lines = holders.map((h) => `• ${userName(n, h.userId)} — ${h.teamId === null ? 'global' : esc(teamName(n, h.teamId))}${h.via ? `, via group ${esc(groupName(n, h.via))}` : ''}${h.expiresAt ? `, until ${when(h.expiresAt)}` : ''}`);
  return reply(`*${esc(role.name)}* is held by:\n${lines.join('\n')}`);
}

export function groupsMessage(n: Names, groups: readonly Group[]): Message {
  if (groups.length === 0) return reply('No groups yet. Create one with `group create <id> [name] [@members…]`.');
  const grantsOf = (g: Group) =>
    Object.values(n.state.grants)
      .filter((x) => x.subject.type === 'group' && x.subject.id === g.id)
      .map((x) => `${esc(roleName(n, x.roleId))} (${x.teamId === null ? 'global' : esc(teamName(n, x.teamId))})`);
  const lines = groups.map((g) => `• ${nameAndId(g.name, g.id)} — members: ${g.members.map(who).join(', ') || '—'}; roles: ${grantsOf(g).join(', ') || '—'}`);
  return reply(`*Groups* (${groups.length})\n${lines.join('\n')}`);
}

export function keysMessage(n: Names, keys: readonly { id: string; ownerId: string; name: string; kind: string; prefix: string; createdAt: number; revokedAt: number | null; lastUsedAt: number | null }[], all: boolean): Message {
  if (keys.length === 0) return reply(all ? 'No API keys in this account.' : 'You have no API keys. Create one with `keys create <name>`.');
  const lines = keys.map(
    (k) =>
      `• \`${k.id}\` *${esc(k.name)}* (${k.kind === 'api_key' ? 'API key' : 'personal token'}, \`${k.prefix}…\`)${all ? ` of ${userName(n, k.ownerId)}` : ''} — created ${when(k.createdAt)}, ${k.lastUsedAt ? `last used ${when(k.lastUsedAt)}` : 'never used'}${k.revokedAt ? `, *revoked* ${when(k.revokedAt)}` : ''}`,
  );
  return reply(`*${all ? 'API keys of the account' : 'Your API keys'}* (${keys.length})\n${lines.join('\n')}`);
}

/** The new key and its secret (shown once); `owner` names the owner when the key is not the asker's own; `use` says what to do with it. */
export function createdKeyMessage(created: CreatedKey, owner: string | null = null, use = ''): Message {
  const k = created.key;
  const [whose, has] = owner ? [`${owner}'s`, `${owner} has`] : ['your', 'you have'];
  const what =
    k.kind === 'api_key'
      ? `an *API key*${owner ? ` for ${owner}` : ''} (it keeps the permissions ${has} now, even if ${whose} roles change later)`
      : `a *personal token*${owner ? ` for ${owner}` : ''} (it follows ${whose} permissions as they change)`;
  return reply(
    `:key: Created ${what} named *${esc(k.name)}* (\`${k.id}\`). Copy the secret now — it is shown this once, only to you, and Gatehouse keeps only its hash:\n\`\`\`${created.secret}\`\`\`\nUse it as \`Authorization: Bearer <secret>\`.${use ? ` ${use}` : ''} Revoke with \`keys revoke ${k.id}\`.`,
  );
}

function subjectName(n: Names, s: { type: string; id: string }): string {
  return s.type === 'user' ? userName(n, s.id) : `group \`${s.id}\``;
}

/** What an audit event did, in words (the type itself for the rare ones). */
function auditWhat(n: Names, d: AuditEvent): string {
  const where = (teamId: string | null) => (teamId ? `in ${esc(teamName(n, teamId))}` : 'globally');
  switch (d.type) {
    case 'grant.created':
      return `granted *${esc(roleName(n, d.data.grant.roleId))}* to ${subjectName(n, d.data.grant.subject)} ${where(d.data.grant.teamId)}${d.data.grant.expiresAt ? ` until ${when(d.data.grant.expiresAt)}` : ''}`;
    case 'grant.revoked':
    case 'grant.expired':
      return `${d.type === 'grant.revoked' ? 'revoked' : 'expired'} *${esc(roleName(n, d.data.grant.roleId))}* of ${subjectName(n, d.data.grant.subject)} ${where(d.data.grant.teamId)}`;
    case 'version.created':
      return `created version ${versionName(n, d.data.version.id)}`;
    case 'version.approval_requested':
      return `requested approval of ${versionName(n, d.data.versionId)} for ${esc(environmentName(n, d.data.environmentId))}`;
    case 'version.decided':
      return `${d.data.decision === 'approve' ? 'approved' : 'rejected'} ${d.data.approvalType} for ${versionName(n, d.data.versionId)}${d.data.reason ? `: ${reasonText(d.data.reason)}` : ''}`;
    case 'release.decided':
      return `${d.data.decision === 'approve' ? 'approved' : 'rejected'} release ${releaseName(n, d.data.releaseId)}${d.data.reason ? `: ${reasonText(d.data.reason)}` : ''}`;
    case 'deployment.created':
      return `deployed ${versionName(n, d.data.deployment.versionId)} to ${esc(environmentName(n, d.data.deployment.environmentId))}`;
    case 'gate.overridden':
      return `:rotating_light: *overrode the gate* of ${versionName(n, d.data.versionId)} to ${esc(environmentName(n, d.data.environmentId))}: ${reasonText(d.data.reason)} (missing: ${missingText(n, d.data.missing, false)})`;
    case 'access_request.created':
      return `requested *${esc(roleName(n, d.data.request.roleId))}* ${where(d.data.request.teamId)} for ${formatDuration(d.data.request.durationMs)}: ${reasonText(d.data.request.reason)}`;
    case 'access_request.approved':
      return `approved access request \`${d.data.requestId}\``;
    case 'access_request.denied':
      return `denied access request \`${d.data.requestId}\`${d.data.reason ? `: ${reasonText(d.data.reason)}` : ''}`;
    case 'role.created':
    case 'role.deleted':
      return `${d.type === 'role.created' ? 'created' : 'deleted'} custom role *${esc(d.data.role.name)}*`;
    case 'role.updated':
      return `updated custom role *${esc(d.data.after.name)}*${d.data.before.name !== d.data.after.name ? ` (was ${esc(d.data.before.name)})` : ''}`;
    case 'group.created':
    case 'group.deleted':
      return `${d.type === 'group.created' ? 'created' : 'deleted'} group \`${d.data.group.id}\``;
    case 'group.member_added':
    case 'group.member_removed':
      return `${d.type === 'group.member_added' ? 'added' : 'removed'} ${userName(n, d.data.userId)} ${d.type === 'group.member_added' ? 'to' : 'from'} group \`${d.data.groupId}\``;
    case 'api_key.created':
      return `created ${d.data.key.kind === 'api_key' ? 'API key' : 'personal token'} \`${d.data.key.id}\` (${esc(d.data.key.name)}) for ${userName(n, d.data.key.ownerId)}`;
    case 'api_key.revoked':
      return `revoked key \`${d.data.keyId}\``;
    case 'account.settings_changed':
      return `changed the account settings (${settingsChanges(n, d.data.before, d.data.after)})`;
    case 'team.created':
      return `created team *${esc(d.data.team.name)}*`;
    case 'team.updated':
      return `renamed team *${esc(d.data.before.name)}* to *${esc(d.data.after.name)}*`;
    case 'product.created':
      return `created product *${esc(d.data.product.name)}* in team ${esc(teamName(n, d.data.product.teamId))}`;
    case 'product.updated':
    case 'environment.updated': {
      const { before, after } = d.data;
      const changes = [
        before.name !== after.name ? `renamed to *${esc(after.name)}*` : '',
        'teamId' in before && 'teamId' in after && before.teamId !== after.teamId ? `moved to team ${esc(teamName(n, after.teamId))}` : '',
        'production' in before && 'production' in after && before.production !== after.production ? (after.production ? 'marked production' : 'no longer production') : '',
        (before.channel ?? null) !== (after.channel ?? null) ? (after.channel ? `approval messages to <#${after.channel}>` : 'no channel of its own') : '',
      ].filter(Boolean);
      return `changed ${d.type === 'product.updated' ? 'product' : 'environment'} *${esc(before.name)}*: ${changes.join(', ') || 'nothing'}`;
    }
    case 'environment.created':
      return `created ${d.data.environment.production ? 'production ' : ''}environment *${esc(d.data.environment.name)}*`;
    case 'rule.created':
    case 'rule.deleted': {
      const r = d.data.rule;
      return `${d.type === 'rule.created' ? 'created' : 'deleted'} the rule for ${ruleTarget(n, r)}: ${ruleSummary(r)}`;
    }
    case 'rule.updated':
      return `changed the rule for ${ruleTarget(n, d.data.after)}: ${ruleSummary(d.data.after)}`;
    case 'release.created':
      return `created release *${esc(d.data.release.name)}* of ${esc(productName(n, d.data.release.productId))}`;
    case 'release.version_added':
      return `added ${versionName(n, d.data.versionId)} to release ${releaseName(n, d.data.releaseId)}`;
    case 'release.locked':
    case 'release.unlocked':
    case 'release.archived':
    case 'release.restored':
      return `${d.type.slice('release.'.length)} release ${releaseName(n, d.data.releaseId)}`;
    case 'release.deleted':
      return `deleted release *${esc(d.data.release.name)}*`;
    case 'user.added':
      return `added user ${userName(n, d.data.user.id)}`;
    case 'user.deactivated':
    case 'user.reactivated':
      return `${d.type === 'user.deactivated' ? 'deactivated' : 'reactivated'} ${userName(n, d.data.userId)}`;
    default:
      return `\`${d.type}\``;
  }
}

/** `*2026.03*` for a release id (the id when it is gone). */
function releaseName(n: Names, releaseId: string): string {
  const r = own(n.state.releases, releaseId);
  return r ? `*${esc(r.name)}*` : `\`${releaseId}\``;
}

/** What changed in the account's settings, in words. */
function settingsChanges(n: Names, before: Settings, after: Settings): string {
  const out: string[] = [];
  if (before.defaultRoleId !== after.defaultRoleId) out.push(`newcomers get ${esc(roleName(n, after.defaultRoleId))}`);
  if (before.defaultTeamId !== after.defaultTeamId) out.push(`newcomers land in ${esc(teamName(n, after.defaultTeamId))}`);
  if (before.defaultChannel !== after.defaultChannel) out.push(after.defaultChannel ? `approvals channel <#${after.defaultChannel}>` : 'no approvals channel');
  if (before.maxAccessDurationMs !== after.maxAccessDurationMs) out.push(`access requests up to ${formatDuration(after.maxAccessDurationMs)}`);
  return out.join(', ') || 'nothing';
}

/** One line per audit event: when, who, what. */
export function auditLine(n: Names, e: AuditEvent): string {
  return `${when(e.at)} ${userName(n, e.actor)}${e.keyId ? ` (key \`${e.keyId}\`)` : ''} ${auditWhat(n, e)}`;
}

export function auditMessage(n: Names, events: readonly AuditEvent[], userId: string | null): Message {
  const scope = userId ? `for ${userName(n, userId)}` : 'for the account';
  if (events.length === 0) return reply(`No audit events ${scope}.`);
  return reply(`*Audit trail* ${scope} — the latest ${events.length}, newest last:\n${events.map((e) => `• ${auditLine(n, e)}`).join('\n')}`);
}

export function reviewMessage(n: Names, r: AccessReview): Message {
  const lines = [
    `*Access review*`,
    `*Admins* (${r.admins.length}): ${r.admins.map(who).join(', ') || '—'}${r.singleAdmin ? '  :warning: only one Admin: make a second' : ''}`,
    `*Inactive users* (no activity for 90 days): ${r.inactiveUsers.map((u) => `${userName(n, u.userId)}${u.lastSeen ? ` (last seen ${when(u.lastSeen)})` : ' (never seen)'}`).join(', ') || 'none'}`,
    `*Grants expiring within 7 days*: ${r.expiringGrants.map((g) => `${g.subject.type === 'user' ? userName(n, g.subject.id) : `group ${g.subject.id}`} ${esc(roleName(n, g.roleId))} ${g.teamId ? `in ${esc(teamName(n, g.teamId))}` : 'globally'} until ${when(g.expiresAt ?? 0)}`).join('; ') || 'none'}`,
    `*Unused keys* (90 days): ${r.unusedKeys.map((k) => `\`${k.keyId}\` ${esc(k.name)} of ${userName(n, k.ownerId)}`).join('; ') || 'none'}`,
    `*Keys exceeding their owner* (created when the owner had more): ${r.keysExceedingOwner.map((k) => `\`${k.keyId}\` ${esc(k.name)} of ${userName(n, k.ownerId)}: ${k.excess.join(', ')}`).join('; ') || 'none'}`,
  ];
  return reply(lines.join('\n'));
}

export function verifyMessage(v: VerifyResult): Message {
  return reply(
    v.ok
      ? `:white_check_mark: The audit trail is intact: ${v.events} events, each chained to the one before (last hash \`${v.lastHash.slice(0, 16)}…\`).`
      : `:rotating_light: The audit trail is *broken* at event ${v.brokenAt} (${v.reason === 'hash_mismatch' ? 'its content does not match its hash' : 'it does not link to the event before'}) after ${v.events} good events. Tell the operator now.`,
  );
}

import type { ErrorCode, GatehouseError } from '@gatehouse/core';
import { assertNever } from '@gatehouse/core';
import { z } from 'zod';
import type { Names } from './format.js';
import { esc, missingText, roleName, teamName, who } from './format.js';

/**
 * The one place where the core's typed refusals become words: why it was refused (the core's
 * facts) and what would work instead. The core never formats UI text; this module does.
 */

const Denial = z.object({
  permission: z.string(),
  teamId: z.string().nullable(),
  grantingRoles: z.array(z.string()).default([]),
  cause: z.string(),
});
const Issues = z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) });
const Missing = z.object({ missing: z.array(z.string()) });
const Holders = z.object({ holders: z.array(z.object({ subject: z.object({ type: z.string(), id: z.string() }), teamId: z.string().nullable() })) });
const NotFound = z.object({ entity: z.string(), id: z.string() });
/** A revoke of a role the subject does not hold (the core's details are the revoke's input). */
const NotHeld = z.object({ subject: z.object({ type: z.enum(['user', 'group']), id: z.string() }), roleId: z.string(), teamId: z.string().nullable() });

/** What to try when something named was not found, per entity. */
const LOOKUP: Record<string, string> = {
  role: '`roles` lists them',
  team: 'teams are named by id or name, e.g. `payments`',
  group: '`groups` lists them',
  user: 'mention the user as @name',
  version: 'use the version id from the approval message or the REST API',
  environment: '`environments` lists them',
  product: '`products` lists them',
  release: '`releases` lists them',
  'deployment rule': '`rules` lists them',
  'API key': '`keys` lists yours',
  'access request': '`requests` lists the pending ones',
};

/** Field names of the commands' inputs as people call them (the rest: camelCase split into words, `Id`/`Ms` dropped). */
const FIELD_LABEL: Record<string, string> = {
  durationMs: 'Duration',
  expiresAt: 'Expiry',
  maxAccessDurationMs: 'Longest access request',
  accessRequestTtlMs: 'Time an access request waits',
  version: 'Version string',
  commit: 'Commit',
  reason: 'Reason',
  name: 'Name',
};

/** `durationMs` → `Duration`, `requirements.0.quorum` → `Quorum`, `defaultChannel` → `Default channel`. */
export function fieldLabel(path: string): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).at(-1) ?? path;
  const known = Object.hasOwn(FIELD_LABEL, last) ? FIELD_LABEL[last] : undefined;
  if (known) return known;
  const words = last.replace(/(Id|Ids|Ms)$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : path;
}

/** Ephemeral text explaining a refusal. `cmd` is the slash command, for the suggestions. */
export function explainError(err: GatehouseError, names: Names | null, cmd: string): string {
  const code: ErrorCode = err.code;
  // Names are user text: escaped for mrkdwn here, once.
  const role = (id: string) => esc(names ? roleName(names, id) : id);
  const team = (id: string | null) => esc(names ? teamName(names, id) : (id ?? 'globally'));
  switch (code) {
    case 'forbidden': {
      const d = Denial.safeParse(err.details);
      // Not every 'forbidden' carries denial facts: the core's linkMessage refuses non-system actors without them.
      if (!d.success) return `:no_entry: ${esc(err.message)}`;
      const where = d.data.teamId === null ? 'globally' : `in team ${team(d.data.teamId)}`;
      if (d.data.cause === 'user_inactive') return ':no_entry: Your Gatehouse user is deactivated, so you hold no permissions. An Admin can reactivate you.';
      const roles = d.data.grantingRoles.map(role);
      const requestable = d.data.grantingRoles.find((r) => r !== 'admin');
      const offer = roles.length
        ? ` Roles that grant it: ${roles.join(', ')}. Ask an administrator${requestable ? `, or request it for a while: \`${cmd} request ${requestable}${d.data.teamId ? ` ${d.data.teamId}` : ''} for 8h because <reason>\`` : ''}.`
        : '';
      return `:no_entry: You need \`${d.data.permission}\` ${where}, which none of your roles grants.${offer}`;
    }
    case 'self_change':
      return `:no_entry: ${esc(err.message)}. Nobody changes their own roles or decides their own requests: ask another administrator (\`${cmd} holders admin\`).`;
    case 'escalation': {
      const m = Missing.safeParse(err.details);
      // Without missing permissions it is not about the asker's own permissions (the default role cannot be Admin).
      if (!m.success) return `:no_entry: ${esc(err.message)}.`;
      const missing = m.data.missing.length ? ` Missing: ${m.data.missing.map((p) => `\`${p}\``).join(', ')}.` : '';
      return `:no_entry: ${esc(err.message)}.${missing} Only someone who holds every permission of a role can grant it; ask an Admin.`;
    }
    case 'last_admin':
      return `:warning: ${esc(err.message)}. Make someone else an Admin first (\`${cmd} assign @someone admin\`), then try again.`;
    case 'static_role_immutable':
      return `:lock: ${esc(err.message)}. Create a custom role with the permissions you need: \`${cmd} role create\`.`;
    case 'role_in_use': {
      const h = Holders.safeParse(err.details);
      const list = h.success && h.data.holders.length ? ` Holders: ${h.data.holders.map((x) => (x.subject.type === 'user' ? who(x.subject.id) : `group ${x.subject.id}`) + (x.teamId ? ` in ${team(x.teamId)}` : '')).join(', ')}.` : '';
      return `:no_entry: ${esc(err.message)}.${list} Revoke with \`${cmd} revoke @user <role> [team]\`, then delete.`;
    }
    case 'role_scope':
      return `:no_entry: ${esc(err.message)}. See where a role may be granted with \`${cmd} role <name>\`.`;
    case 'user_inactive': {
      // The core's messages open with the user's id: show it as a mention.
      const id = z.object({ userId: z.string() }).safeParse(err.details);
      if (id.success && err.message.startsWith(`${id.data.userId} `)) return `:no_entry: ${who(id.data.userId)}${esc(err.message.slice(id.data.userId.length))}.`;
      return `:no_entry: ${esc(err.message)}.`;
    }
    case 'separation_of_duties':
      return ':no_entry: You created this version, so your approval cannot count (separation of duties). Another approver has to give it.';
    case 'release_locked':
    case 'release_archived':
      return `:lock: ${esc(err.message)}.`;
    case 'deployment_blocked': {
      const m = Missing.safeParse(err.details);
      const list = m.success ? m.data.missing.map((x) => `• ${missingText(names, [x], false)}`).join('\n') : '';
      return `:octagonal_sign: ${esc(err.message.split(':')[0] ?? err.message)} is blocked. Still missing:\n${list}\nHolders of \`gate:override\` can deploy anyway with \`${cmd} deploy <version> <environment> override because <reason>\` (recorded loudly).`;
    }
    case 'reason_required':
      return `:memo: ${esc(err.message)}. Give a reason of at least 3 characters.`;
    case 'request_not_pending':
      return `:information_source: ${esc(err.message)}. Nothing changed.`;
    case 'not_found': {
      const held = NotHeld.safeParse(err.details);
      if (held.success) {
        const { subject, roleId, teamId } = held.data;
        const whom = subject.type === 'user' ? who(subject.id) : `group \`${esc(subject.id)}\``;
        return `:mag: ${whom} does not hold *${role(roleId)}* ${teamId === null ? 'globally' : `in team *${team(teamId)}*`}. \`${cmd} holders ${roleId}\` lists who does.`;
      }
      const n = NotFound.safeParse(err.details);
      const hint = n.success ? LOOKUP[n.data.entity] : undefined;
      return `:mag: ${esc(err.message)}.${hint ? ` (${hint})` : ''}`;
    }
    case 'conflict':
      return `:no_entry: ${esc(err.message)}. Pick another name or id.`;
    case 'validation_failed': {
      const v = Issues.safeParse(err.details);
      // A rule's own sentence (not the list of fields zod made) says it better than its issues.
      const listed = v.success ? v.data.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') : err.message;
      if (err.message !== listed && !err.message.includes(listed)) return `:memo: ${esc(err.message)}.`;
      // Fields by the names people know (`Duration`, not `durationMs`).
      const lines = v.success ? v.data.issues.map((i) => `• ${i.path ? `${esc(fieldLabel(i.path))}: ` : ''}${esc(i.message)}`) : [esc(err.message)];
      return `:memo: That did not validate:\n${lines.join('\n')}`;
    }
    case 'invalid_key':
      return `:key: ${esc(err.message)}`;
    case 'storage_conflict':
      return ':hourglass: Too many changes landed at once and this one could not be recorded. Nothing changed: please try again.';
    case 'storage_corrupt':
      return ':rotating_light: The store failed an integrity check; nothing was changed. Tell the operator (the server log has the details).';
    default:
      return assertNever(code, 'error code');
  }
}

/** Usage of every subcommand, shown by `help` and when a command is malformed. */
export function usage(cmd: string): Record<string, string> {
  return {
    help: `\`${cmd} help\` — this list`,
    setup: `\`${cmd} setup\` — first run, in a form: approvals channel, first team, product, production environment, its rule, and a key for CI`,
    whoami: `\`${cmd} whoami\` — your roles and effective permissions, globally and per team`,
    roles: `\`${cmd} roles\` — every role`,
    role: `\`${cmd} role <role>\` — a role's permissions · \`${cmd} role create\` · \`${cmd} role edit <role>\` · \`${cmd} role rename <role> to <new name>\` · \`${cmd} role delete <role>\``,
    assign: `\`${cmd} assign @user <role> [team] [for <duration>]\` (or \`${cmd} assign\` for a form) — e.g. \`${cmd} assign @dana qa payments for 2d\``,
    revoke: `\`${cmd} revoke @user <role> [team]\``,
    holders: `\`${cmd} holders <role>\` — who holds a role`,
    groups: `\`${cmd} groups\` — every group · \`${cmd} group create <id> [name] [@members…]\` · \`${cmd} group add <group> @user\` · \`${cmd} group remove <group> @user\` · \`${cmd} group delete <group>\``,
    keys: `\`${cmd} keys [all]\` — API keys · \`${cmd} keys create [token] <name> [for @user|<service account>]\` (secret shown once, to you) · \`${cmd} keys revoke <key id>\``,
    teams: `\`${cmd} teams\` — every team · \`${cmd} team create <id> <name…>\` · \`${cmd} team rename <team> <new name…>\` · \`${cmd} team members <team>\``,
    products: `\`${cmd} products\` — every product · \`${cmd} product create <id> <team> <name…>\` · \`${cmd} product team <product> <team>\` (move it) · \`${cmd} product channel <product> #channel|none\``,
    environments: `\`${cmd} environments\` — every environment · \`${cmd} environment create <id> [production] [for <product>] [name…]\` · \`${cmd} environment production <environment> on|off\` · \`${cmd} environment channel <environment> #channel|none\``,
    rules: `\`${cmd} rules\` — every deployment rule · \`${cmd} rule <environment> [product]\` — one · \`${cmd} rule set <environment> [product]\` — a form: approval types and quorum, separation of duties, release approval · \`${cmd} rule delete <environment> [product]\``,
    releases: `\`${cmd} releases [product]\` — releases · \`${cmd} release <release>\` — one, with Approve / Reject · \`${cmd} release create <product> <name…>\` · \`${cmd} release add <release> <version id | product version>\` · \`${cmd} release lock|unlock|archive|restore|delete <release>\``,
    settings: `\`${cmd} settings\` — default role and team of newcomers, approvals channel · \`${cmd} settings default-role <role>\` · \`${cmd} settings default-team <team>\` · \`${cmd} settings channel #channel|none\``,
    users: `\`${cmd} user add @user|<id> [name…]\` · \`${cmd} user deactivate @user\` (no permissions, keys stop working) · \`${cmd} user reactivate @user\``,
    'service-account': `\`${cmd} service-account create <id> <name…> [with <role> [team]…]\` — a user for CI, e.g. \`${cmd} service-account create ci-checkout Checkout CI with developer payments\`; then \`${cmd} keys create <name> for <id>\``,
    audit: `\`${cmd} audit [@user]\` — the latest audit events, for the account or one user`,
    review: `\`${cmd} review\` — access review: Admins, inactive users, expiring grants, unused and over-privileged keys`,
    verify: `\`${cmd} verify\` — check the audit trail's hash chain`,
    request: `\`${cmd} request <role> [team] for <duration> because <reason>\` (or \`${cmd} request\` for a form) — e.g. \`${cmd} request sre payments for 8h because incident 42\``,
    requests: `\`${cmd} requests\` — pending access requests, with Approve / Deny`,
    approvals: `\`${cmd} approvals [page]\` — what waits for your approval, overdue first, with Approve / Reject (10 a page; your App Home shows it too)`,
    'request-approval': `\`${cmd} request-approval <version id | product version> <environment>\` — post the approval message`,
    delegate: `\`${cmd} delegate @user [qa security …] until <YYYY-MM-DD> | for <duration>\` — let someone give your approvals while you are away · \`${cmd} delegate remove <id | @user>\` · \`${cmd} delegations\``,
    deploy: `\`${cmd} deploy <version id | product version> <environment> [override because <reason>]\``,
  };
}

import type { ErrorCode, GatehouseError } from '@gatehouse/core';
import { assertNever } from '@gatehouse/core';
import { z } from 'zod';
import type { Names } from './format.js';
import { esc, missingText, roleName, teamName, userName, who } from './format.js';

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
const Holders = z.object({
  roleId: z.string().optional(),
  defaultRole: z.boolean().default(false),
  holders: z.array(z.object({ subject: z.object({ type: z.string(), id: z.string() }), teamId: z.string().nullable() })),
});
const SelfChange = z.object({ action: z.enum(['roles', 'request', 'delegation']).optional() });
const Escalation = z.object({ action: z.enum(['grant', 'role_permissions', 'default_role', 'delegation']).optional(), roleId: z.string().optional(), missing: z.array(z.string()).default([]) });
const Admins = z.object({ admins: z.array(z.string()) });
const RoleRef = z.object({ roleId: z.string() });
const Decided = z.object({ status: z.string(), decidedBy: z.string().nullable().default(null) });
/** A conflict over a GitHub repository or environment (the core's message says what to do), not over a name or id. */
const GithubConflict = z.object({ repository: z.string() }).or(z.object({ environment: z.string() }));
const NotFound = z.object({ entity: z.string(), id: z.string() });
/** A revoke of a role the subject does not hold (the core's details are the revoke's input). */
const NotHeld = z.object({ subject: z.object({ type: z.enum(['user', 'group']), id: z.string() }), roleId: z.string(), teamId: z.string().nullable() });

const StoreOutcome = z.object({ outcome: z.enum(['unchanged', 'unknown']) });

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

/** The core's message as a sentence: capitalised, escaped for mrkdwn, `extra` before its full stop. */
function sentence(message: string, extra = ''): string {
  const m = esc(message.trim().replace(/[.\s]+$/, ''));
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}${extra}.`;
}

/**
 * Ephemeral text explaining a refusal. `cmd` is the slash command, for the suggestions. Each
 * refusal is said once: the core's message where it says why and what to do (only a command to
 * do it is added), or words of its own from the core's facts where the message is not for people
 * (ids, permission lists) — never the core's message and a sentence repeating it.
 */
export function explainError(err: GatehouseError, names: Names | null, cmd: string): string {
  const code: ErrorCode = err.code;
  // Names are user text: escaped for mrkdwn here, once.
  const role = (id: string) => esc(names ? roleName(names, id) : id);
  const team = (id: string | null) => esc(names ? teamName(names, id) : (id ?? 'globally'));
  switch (code) {
    case 'forbidden': {
      const d = Denial.safeParse(err.details);
      // Not every 'forbidden' carries denial facts: the core's linkMessage refuses non-system actors without them.
      if (!d.success) return `:no_entry: ${sentence(err.message)}`;
      const where = d.data.teamId === null ? 'globally' : `in team ${team(d.data.teamId)}`;
      if (d.data.cause === 'user_inactive') return ':no_entry: Your Gatehouse user is deactivated, so you hold no permissions. An Admin can reactivate you.';
      const roles = d.data.grantingRoles.map(role);
      const requestable = d.data.grantingRoles.find((r) => r !== 'admin');
      const offer = roles.length
        ? ` Roles that grant it: ${roles.join(', ')}. Ask an administrator${requestable ? `, or request it for a while: \`${cmd} request ${requestable}${d.data.teamId ? ` ${d.data.teamId}` : ''} for 8h because <reason>\`` : ''}.`
        : '';
      return `:no_entry: You need \`${d.data.permission}\` ${where}, which none of your roles grants.${offer}`;
    }
    case 'self_change': {
      // The core says who to ask ("ask another administrator"); Slack adds where to find them.
      const action = SelfChange.safeParse(err.details).data?.action;
      return `:no_entry: ${sentence(err.message, action === 'delegation' ? '' : ` (\`${cmd} holders admin\` lists the Admins)`)}`;
    }
    case 'escalation': {
      const e = Escalation.safeParse(err.details);
      const d = e.success ? e.data : { action: undefined, roleId: undefined, missing: [] };
      // Only an Admin makes an Admin: listing every permission Admin holds would say nothing more.
      if (d.action === 'grant' && d.roleId === 'admin') return `:no_entry: Only an Admin makes an Admin: ask one (\`${cmd} holders admin\` lists them).`;
      if (d.action === 'grant') {
        const missing = d.missing.length ? ` (${d.missing.map((p) => `\`${p}\``).join(', ')})` : '';
        return `:no_entry: ${sentence(err.message, missing)} Ask an Admin to grant it.`;
      }
      return `:no_entry: ${sentence(err.message)}`;
    }
    case 'last_admin': {
      const a = Admins.safeParse(err.details);
      const last = a.success && a.data.admins.length ? `${a.data.admins.map((id) => (names ? userName(names, id) : who(id))).join(', ')} ${a.data.admins.length === 1 ? 'is' : 'are'} the last active Admin` : 'The account must keep an active Admin';
      return `:warning: ${last}, and the account must keep one: make someone else an Admin first (\`${cmd} assign @someone admin\`), then try again.`;
    }
    case 'static_role_immutable': {
      const r = RoleRef.safeParse(err.details);
      return `:lock: ${r.success ? `*${role(r.data.roleId)}*` : 'This role'} is a static role: it cannot be edited, renamed or deleted. Create a custom role with the permissions you need: \`${cmd} role create\`.`;
    }
    case 'role_in_use': {
      const h = Holders.safeParse(err.details);
      if (!h.success || !h.data.roleId) return `:no_entry: ${sentence(err.message)}`;
      const name = `*${role(h.data.roleId)}*`;
      if (h.data.defaultRole) return `:no_entry: ${name} is the default role for newcomers: choose another first (\`${cmd} settings default-role <role>\`), then delete it.`;
      const list = h.data.holders.map((x) => (x.subject.type === 'user' ? (names ? userName(names, x.subject.id) : who(x.subject.id)) : `group \`${esc(x.subject.id)}\``) + (x.teamId ? ` in ${team(x.teamId)}` : '')).join(', ');
      return `:no_entry: ${name} is still granted to ${list}: revoke those grants first (\`${cmd} revoke @user ${h.data.roleId} [team]\`), then delete it.`;
    }
    case 'role_scope': {
      const r = RoleRef.safeParse(err.details);
      return `:no_entry: ${sentence(err.message, r.success ? ` (\`${cmd} role ${r.data.roleId}\` shows the role)` : '')}`;
    }
    case 'user_inactive': {
      // The core's messages open with the user's id: show it as a mention.
      const id = z.object({ userId: z.string() }).safeParse(err.details);
      if (id.success && err.message.startsWith(`${id.data.userId} `)) return `:no_entry: ${who(id.data.userId)}${esc(err.message.slice(id.data.userId.length))}.`;
      return `:no_entry: ${sentence(err.message)}`;
    }
    case 'separation_of_duties':
      return ':no_entry: You created this version, so your approval cannot count (separation of duties). Another approver has to give it.';
    case 'release_locked':
    case 'release_archived':
      return `:lock: ${sentence(err.message)}`;
    case 'deployment_blocked': {
      const m = Missing.safeParse(err.details);
      const list = m.success ? m.data.missing.map((x) => `• ${missingText(names, [x], false)}`).join('\n') : '';
      // The core's message is `<version> cannot go to <environment>: <missing>`; the list follows in words.
      const at = err.message.indexOf(': ');
      return `:octagonal_sign: ${sentence(at < 0 ? err.message : err.message.slice(0, at), ' yet')} Still missing:\n${list}\nHolders of \`gate:override\` can deploy anyway with \`${cmd} deploy <version> <environment> override because <reason>\` (recorded loudly).`;
    }
    case 'reason_required':
      return `:memo: ${sentence(err.message, ' of at least 3 characters')}`;
    case 'request_not_pending': {
      const d = Decided.safeParse(err.details);
      if (!d.success) return `:information_source: ${sentence(err.message, ': nothing changed')}`;
      return `:information_source: This request was already ${esc(d.data.status)}${d.data.decidedBy ? ` by ${names ? userName(names, d.data.decidedBy) : who(d.data.decidedBy)}` : ''}: nothing changed.`;
    }
    case 'not_found': {
      const held = NotHeld.safeParse(err.details);
      if (held.success) {
        const { subject, roleId, teamId } = held.data;
        const whom = subject.type === 'user' ? who(subject.id) : `group \`${esc(subject.id)}\``;
        return `:mag: ${whom} does not hold *${role(roleId)}* ${teamId === null ? 'globally' : `in team *${team(teamId)}*`}. \`${cmd} holders ${roleId}\` lists who does.`;
      }
      const n = NotFound.safeParse(err.details);
      const hint = n.success ? LOOKUP[n.data.entity] : undefined;
      return `:mag: ${sentence(err.message)}${hint ? ` (${hint})` : ''}`;
    }
    case 'conflict':
      // A clash of names or ids is solved by another one; the core says what to do about GitHub's.
      return `:no_entry: ${sentence(err.message)}${GithubConflict.safeParse(err.details).success ? '' : ' Pick another name or id.'}`;
    case 'validation_failed': {
      const v = Issues.safeParse(err.details);
      // A rule's own sentence (not the list of fields zod made) says it better than its issues.
      const listed = v.success ? v.data.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') : err.message;
      if (err.message !== listed && !err.message.includes(listed)) return `:memo: ${sentence(err.message)}`;
      // Fields by the names people know (`Duration`, not `durationMs`).
      const lines = v.success ? v.data.issues.map((i) => `• ${i.path ? `${esc(fieldLabel(i.path))}: ` : ''}${esc(i.message)}`) : [esc(err.message)];
      return `:memo: That did not validate:\n${lines.join('\n')}`;
    }
    case 'invalid_key':
      return `:key: ${sentence(err.message)}`;
    case 'storage_conflict':
      return ':hourglass: Too many changes landed at once and this one could not be recorded. Nothing changed: please try again.';
    case 'storage_corrupt':
      return ':rotating_light: The store failed an integrity check; nothing was changed. Tell the operator (the server log has the details).';
    case 'storage_unavailable':
      return StoreOutcome.safeParse(err.details).data?.outcome === 'unknown'
        ? ':warning: Gatehouse lost its store while saving this, so it may or may not have been recorded. Check in a minute before trying again.'
        : ':warning: Gatehouse cannot reach its store right now; nothing was changed. Try again in a minute.';
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

import type { AccountState, ApprovalType, RoleAssignment, RoleDefinition } from '@gatehouse/core';
import { own } from '../rest/lookup.js';

/** What the text renderers need to know about an account: a read-only view of its state. */
export interface Names {
  readonly state: Readonly<AccountState>;
  role(roleId: string): RoleDefinition | undefined;
}

/** How approval types are named to people. */
export const TYPE_LABEL: Record<ApprovalType, string> = {
  qa: 'QA',
  security: 'Security',
  compliance: 'Compliance',
  product: 'Product',
  operational: 'Operational',
  release: 'Release (type)',
};

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * User text (a reason) inline, in italics: escaped, each line in italics of its own (mrkdwn
 * italics stop at a line break, leaving stray underscores) and kept on one line, so a reason
 * cannot break the list or sentence it sits in.
 */
export function reasonText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `_${esc(l)}_`)
    .join(' ');
}

/** User text as a block quote: escaped, every line quoted (a `>` quotes one line only). */
export function quoteText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => `>${esc(l)}`)
    .join('\n');
}

/** A user as a Slack mention (Slack renders the current display name); the system actor as words. */
export function who(userId: string): string {
  return userId === 'system' ? 'Gatehouse' : `<@${userId}>`;
}

export function roleName(n: Names, roleId: string): string {
  return n.role(roleId)?.name ?? roleId;
}

export function teamName(n: Names, teamId: string | null): string {
  if (teamId === null) return 'globally';
  return own(n.state.teams, teamId)?.name ?? teamId;
}

export function groupName(n: Names, groupId: string): string {
  return own(n.state.groups, groupId)?.name ?? groupId;
}

export function productName(n: Names, productId: string): string {
  return own(n.state.products, productId)?.name ?? productId;
}

export function environmentName(n: Names, environmentId: string): string {
  return own(n.state.environments, environmentId)?.name ?? environmentId;
}

/** `*Checkout 1.4.0*` for a version id (the id itself when unknown). */
export function versionName(n: Names, versionId: string): string {
  const v = own(n.state.versions, versionId);
  const p = v ? own(n.state.products, v.productId) : undefined;
  return v && p ? `*${esc(p.name)} ${esc(v.version)}*` : `\`${versionId}\``;
}

/**
 * A user for a reply: a Slack mention, or the name in bold for a service account (it has no
 * Slack profile, so a mention would not render).
 */
export function userName(n: Names, userId: string): string {
  const u = own(n.state.users, userId);
  if (!u?.serviceAccount) return who(userId);
  const name = u.name || userId;
  // `CI (service account)` when the name does not say so already.
  return /service account/i.test(name) ? `*${esc(name)}*` : `*${esc(name)}* (service account)`;
}

/**
 * A named object in bold with its id in code after it (`*Search API* \`search-api\``), the id left
 * out when it adds nothing: the name is the id, or the id in other letter case. `paren` puts the
 * id in parentheses.
 */
export function nameAndId(name: string, id: string, style: 'code' | 'paren' = 'code'): string {
  const bold = `*${esc(name)}*`;
  if (name.trim().toLowerCase() === id.toLowerCase()) return bold;
  return style === 'code' ? `${bold} \`${esc(id)}\`` : `${bold} (\`${esc(id)}\`)`;
}

/**
 * A time as Slack's date token, which every reader sees in their own time zone, with a UTC
 * fallback for clients that cannot render it.
 */
export function when(ms: number): string {
  const fallback = new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** `Developer (Payments, until …, via group On-call)`, names escaped (mrkdwn). */
export function assignment(n: Names, a: RoleAssignment): string {
  const extras = [a.teamId === null ? 'global' : esc(teamName(n, a.teamId))];
  if (a.expiresAt !== null) extras.push(`until ${when(a.expiresAt)}`);
  if (a.via) extras.push(`via group ${esc(groupName(n, a.via))}`);
  return `${esc(roleName(n, a.roleId))} (${extras.join(', ')})`;
}

export function assignments(n: Names, list: readonly RoleAssignment[]): string {
  return list.length ? list.map((a) => assignment(n, a)).join(', ') : 'no roles';
}

/** Cuts text to Slack's limit for a field, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * What the core says is missing (`qa: 1 more approval`, `security: rejected by USEC, UX`,
 * `release approval: rejected by URITA`, an expiry) in words, joined with `; `: the users as
 * mentions (names; ids only without `n`), the rest escaped. With `typeNames` the approval types
 * are named (`QA: …`); without, they stay as people type them in commands (`qa: …`).
 */
export function missingText(n: Names | null, missing: readonly string[], typeNames = true): string {
  return missing
    .map((m) => {
      const at = m.indexOf(': ');
      const head = at < 0 ? m : m.slice(0, at);
      const rest = at < 0 ? null : m.slice(at + 2);
      const name = typeNames && Object.hasOwn(TYPE_LABEL, head) ? TYPE_LABEL[head as ApprovalType] : esc(head);
      if (rest === null) return name;
      const by = /^rejected by (.+)$/.exec(rest);
      const people = by?.[1]?.split(', ').map((id) => (n ? userName(n, id) : who(id)));
      return `${name}: ${people ? `rejected by ${people.join(', ')}` : esc(rest)}`;
    })
    .join('; ');
}

/**
 * Our mrkdwn as plain text, for where Slack shows text as it is (a modal's field errors): a
 * mention becomes the user's name, a date its fallback, a channel `#name`, `code` "code", bold
 * and italics their words; emoji codes go and line breaks become spaces.
 */
export function plainText(mrkdwn: string, n: Names | null): string {
  const person = (id: string) => (n ? own(n.state.users, id)?.name : undefined) || id;
  const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return mrkdwn
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => person(id))
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .split('`')
    .map((part, i) =>
      i % 2 === 1
        ? `"${unescape(part)}"`
        : unescape(
            part
              .replace(/(^|\s):[a-z0-9_+-]+:(?=\s|$)/g, '$1')
              .replace(/(^|[^\w*])\*([^*\n]+)\*(?![\w*])/g, '$1$2')
              .replace(/(^|[^\w_])_([^_\n]+)_(?![\w_])/g, '$1$2'),
          ),
    )
    .join('')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

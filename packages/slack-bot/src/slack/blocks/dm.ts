import type { AccessRequest, AuditEvent, Product, RoleAssignment, Version } from '@gatehouse/core';
import { SYSTEM } from '@gatehouse/core';
import type { Names } from '../format.js';
import { assignment, assignments, esc, reasonText, roleName, teamName, userName, when, who } from '../format.js';
import { formatDuration } from '../parse.js';
import { TYPE_LABEL } from './approval.js';
import type { Message } from './common.js';
import { reply } from './common.js';
import { own } from '../../rest/lookup.js';

/** Direct messages the notifier sends: to creators, requesters and users whose roles changed. */

/** To a version's creator when its approval message turns ready or rejected. */
export function versionOutcomeDm(n: Names, v: Version, p: Product, state: 'ready' | 'rejected', e: AuditEvent): Message {
  const link = v.message?.permalink ? ` (<${v.message.permalink}|approval message>)` : '';
  const envs = v.requestedFor.map((id) => own(n.state.environments, id)?.name ?? id).join(', ');
  return reply(
    state === 'ready'
      ? `:white_check_mark: *${esc(p.name)} ${esc(v.version)}* has every approval it needs for ${esc(envs)}: ready to deploy${link}.`
      : `:x: *${esc(p.name)} ${esc(v.version)}* was rejected by ${userName(n, e.actor)}${e.type === 'version.decided' ? ` (${TYPE_LABEL[e.data.approvalType]}): ${reasonText(e.data.reason ?? '')}` : ''}${link}.`,
  );
}

/** To whoever asked for approval when there is no channel to post the approval message in. */
export function noApprovalChannelDm(p: Product, v: Version, cmd: string): Message {
  return reply(`:warning: Approval was requested for *${esc(p.name)} ${esc(v.version)}*, but no channel is set for approval messages. ${setChannelHint(cmd)}`);
}

/** What an administrator types to give approval messages a channel. */
export function setChannelHint(cmd: string): string {
  return `An administrator sets one with \`${cmd} settings channel #channel\` (or per product or environment: \`${cmd} product channel <product> #channel\`, \`${cmd} environment channel <environment> #channel\`).`;
}

/** To the requester when there is no approvers' channel for their access request. */
export function noRequestChannelDm(): Message {
  return reply(':warning: Your access request is recorded, but no approvers channel is configured: ask an administrator to look at `requests`.');
}

/** To the requester once their access request is decided; `rolesNow` are their roles after it. */
export function requestOutcomeDm(n: Names, r: AccessRequest, rolesNow: readonly RoleAssignment[]): Message {
  const what = `*${esc(roleName(n, r.roleId))}* ${r.teamId ? `in ${esc(teamName(n, r.teamId))}` : 'globally'} for ${formatDuration(r.durationMs)}`;
  const grant = r.grantId ? own(n.state.grants, r.grantId) : undefined;
  return reply(
    r.status === 'approved'
      ? `:white_check_mark: Your request for ${what} was approved by ${who(r.decidedBy ?? 'system')}. It ends ${grant?.expiresAt ? when(grant.expiresAt) : 'when the time is up'}.\n*Your roles now:* ${assignments(n, rolesNow)}`
      : `:x: Your request for ${what} was denied by ${who(r.decidedBy ?? 'system')}: ${reasonText(r.decisionReason ?? '')}`,
  );
}

/** One user's role change in a commit: who made it, the roles before and after, and the access request whose grant expired, if that was the cause. */
export interface RoleChangeNotice {
  actor: string;
  before: readonly RoleAssignment[];
  after: readonly RoleAssignment[];
  expiredRequest: string | null;
}

function roleChangeHeadline(n: Names, c: RoleChangeNotice): string {
  if (c.expiredRequest) {
    const r = own(n.state.requests, c.expiredRequest);
    return `:hourglass: Your temporary access${r ? ` to *${esc(roleName(n, r.roleId))}* ${r.teamId ? `in ${esc(teamName(n, r.teamId))}` : 'globally'}` : ''} has expired.`;
  }
  if (c.actor === SYSTEM.userId) return ':hourglass: Your Gatehouse roles changed (a time-bound grant ended).';
  return `:busts_in_silhouette: Your Gatehouse roles changed (by ${who(c.actor)}).`;
}

/** How long each list of a role-change DM may grow (a section holds 3,000 characters; a DM should stay readable). */
const DM_LIST_CHARS = 1_200;

/** Items joined with `, ` up to `budget` characters; what did not fit is counted. */
function within(items: readonly string[], budget: number): { text: string; left: number } {
  let text = '';
  let shown = 0;
  for (const item of items) {
    const next = text ? `${text}, ${item}` : item;
    // The first item is always shown (clipped by the section if it alone were too long).
    if (shown > 0 && next.length > budget) break;
    text = next;
    shown++;
  }
  return { text, left: items.length - shown };
}

const scopeKey = (a: RoleAssignment) => `${a.teamId ?? ''}/${a.roleId}/${a.via ?? ''}`;

/** What a role change did: roles added, removed, those whose expiry changed (with the old one), and those it left alone. */
function roleChanges(before: readonly RoleAssignment[], after: readonly RoleAssignment[]) {
  const was = new Map(before.map((a) => [scopeKey(a), a]));
  const is = new Set(after.map(scopeKey));
  return {
    added: after.filter((a) => !was.has(scopeKey(a))),
    removed: before.filter((a) => !is.has(scopeKey(a))),
    changed: after.flatMap((a) => {
      const old = was.get(scopeKey(a));
      return old && old.expiresAt !== a.expiresAt ? [{ now: a, was: old }] : [];
    }),
    unchanged: after.filter((a) => was.get(scopeKey(a))?.expiresAt === a.expiresAt),
  };
}

/**
 * To a user whose roles changed: what changed first (added, changed expiry, removed), then the
 * roles before and after. When those lists are too long for a message, they would repeat the same
 * first roles and cut both: the roles that stayed are listed once instead (before = them and the
 * removed ones, now = them and the added ones), cut saying how many were left out and where to
 * see them all. What changed is never what a cut hides.
 */
export function roleChangeDm(n: Names, c: RoleChangeNotice, cmd: string): Message {
  const d = roleChanges(c.before, c.after);
  const names = (items: readonly RoleAssignment[]) => items.map((a) => assignment(n, a));
  let cut = false;
  const list = (label: string, items: readonly string[]) => {
    const w = within(items, DM_LIST_CHARS);
    if (w.left) cut = true;
    return `*${label}:* ${w.text || 'no roles'}${w.left ? ` … and ${w.left} more` : ''}`;
  };
  const lines = [roleChangeHeadline(n, c)];
  if (d.added.length) lines.push(list('Added', names(d.added)));
  if (d.changed.length) lines.push(list('Changed', d.changed.map(({ now, was }) => `${assignment(n, now)} — was ${was.expiresAt === null ? 'permanent' : `until ${when(was.expiresAt)}`}`)));
  if (d.removed.length) lines.push(list('Removed', names(d.removed)));
  const fits = (items: readonly RoleAssignment[]) => within(names(items), DM_LIST_CHARS).left === 0;
  if (fits(c.before) && fits(c.after)) lines.push(list('Before', names(c.before)), list('Now', names(c.after)));
  else lines.push(list('Unchanged', names(d.unchanged)));
  if (cut) lines.push(`_Lists cut to fit: \`${cmd} whoami\` or the Gatehouse App Home shows all your roles._`);
  return reply(lines.join('\n'));
}

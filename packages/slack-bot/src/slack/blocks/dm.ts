import type { AccessRequest, AuditEvent, Product, RoleAssignment, Version } from '@gatehouse/core';
import { SYSTEM } from '@gatehouse/core';
import type { Names } from '../format.js';
import { assignments, esc, reasonText, roleName, teamName, when, who } from '../format.js';
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
      : `:x: *${esc(p.name)} ${esc(v.version)}* was rejected by ${who(e.actor)}${e.type === 'version.decided' ? ` (${TYPE_LABEL[e.data.approvalType]}): ${reasonText(e.data.reason ?? '')}` : ''}${link}.`,
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

/** To a user whose roles changed, with the roles before and after. */
export function roleChangeDm(n: Names, c: RoleChangeNotice): Message {
  return reply(`${roleChangeHeadline(n, c)}\n*Before:* ${assignments(n, c.before)}\n*Now:* ${assignments(n, c.after)}`);
}

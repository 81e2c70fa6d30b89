import type { AccessRequest, Grant } from '@gatehouse/core';
import type { KnownBlock } from '@slack/types';
import type { Names } from '../format.js';
import { esc, quoteText, reasonText, roleName, teamName, when, who } from '../format.js';
import { ACTION, actionId } from '../ids.js';
import { formatDuration } from '../parse.js';
import type { Message } from './common.js';
import { actions, button, context, header, LIMITS, section } from './common.js';

/** `*SRE* in team *Payments* for *8h*` */
export function requestWhat(n: Names, r: AccessRequest): string {
  const where = r.teamId === null ? 'globally' : `in team *${esc(teamName(n, r.teamId))}*`;
  return `*${esc(roleName(n, r.roleId))}* ${where} for *${formatDuration(r.durationMs)}*`;
}

/** The rows of one request, with Approve / Deny while it is pending. */
export function requestBlocks(n: Names, r: AccessRequest, grant: Grant | null): KnownBlock[] {
  const blocks: KnownBlock[] = [section(`${who(r.userId)} asks for ${requestWhat(n, r)}.\n${quoteText(r.reason)}`)];
  if (r.status === 'pending') {
    blocks.push(
      actions(`request:${r.id}`, [
        button('Approve', actionId(ACTION.accessApprove, r.id), r.id, 'primary'),
        button('Deny…', actionId(ACTION.accessDeny, r.id), r.id, 'danger'),
      ]),
    );
    blocks.push(context(`Requested ${when(r.createdAt)} · ${r.id} · holders of \`user_role:manage\` (other than the requester) decide`));
  } else if (r.status === 'approved') {
    const until = grant?.expiresAt ? ` — access until ${when(grant.expiresAt)}` : '';
    blocks.push(context(`:white_check_mark: Approved by ${who(r.decidedBy ?? 'system')}${until}`));
  } else {
    blocks.push(context(`:x: Denied by ${who(r.decidedBy ?? 'system')}${r.decisionReason ? `: ${reasonText(r.decisionReason)}` : ''}`));
  }
  return blocks;
}

/** The message posted to the approvers for one access request (updated in place when decided). */
export function accessRequestMessage(n: Names, r: AccessRequest, grant: Grant | null): Message {
  const title = r.status === 'pending' ? 'Access request' : r.status === 'approved' ? 'Access request approved' : 'Access request denied';
  return {
    text: `${title}: ${roleName(n, r.roleId)} for ${formatDuration(r.durationMs)}`,
    blocks: [header(title), ...requestBlocks(n, r, grant)],
  };
}

/**
 * `requests`: the pending ones of `listed`, each with its buttons (as many as fit one message).
 * Redrawn after a decision from the list, `decided` stays in its place with the outcome and no buttons.
 */
export function pendingRequestsMessage(n: Names, cmd: string, listed: readonly AccessRequest[], decided: { request: AccessRequest; grant: Grant | null } | null = null): Message {
  const waiting = listed.filter((r) => r.status === 'pending' && r.id !== decided?.request.id);
  if (waiting.length === 0 && !decided) return { text: 'No pending access requests', blocks: [section('No access request is waiting for a decision.')] };
  const perRequest = 3;
  const fit = Math.floor((LIMITS.messageBlocks - 2 - (decided ? perRequest : 0)) / perRequest);
  const kept = new Set(waiting.slice(0, fit).map((r) => r.id));
  const blocks: KnownBlock[] = [header(`Pending access requests (${waiting.length})`)];
  for (const r of listed) {
    if (r.id === decided?.request.id) blocks.push(...requestBlocks(n, decided.request, decided.grant));
    else if (kept.has(r.id)) blocks.push(...requestBlocks(n, r, null));
  }
  if (waiting.length > fit) blocks.push(context(`…and ${waiting.length - fit} more, newer than these: decide these, then \`${cmd} requests\` lists the next ones.`));
  return { text: `${waiting.length} pending access request(s)`, blocks };
}

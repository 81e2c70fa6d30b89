import type { AccessRequest, ApprovalType, EscalationTarget, Product, Version } from '@gatehouse/core';
import { own } from '@gatehouse/core';
import { ACTION, actionId } from '../ids.js';
import type { Names } from '../format.js';
import { environmentName, esc, missingText, roleName, teamName, userName } from '../format.js';
import { formatDuration } from '../parse.js';
import { TYPE_LABEL } from './approval.js';
import type { Message } from './common.js';
import { actions, button, context, section } from './common.js';

/**
 * The messages of the follow-up: asking approvers directly, reminders, escalations, timeouts and
 * expired access requests. Pure functions of names and facts, so tests can read them.
 */

const typesText = (types: readonly ApprovalType[]) => types.map((t) => `*${TYPE_LABEL[t]}*`).join(', ');
const versionText = (p: Product, v: Version, envId: string, n: Names) => `*${esc(p.name)} ${esc(v.version)}* → *${esc(environmentName(n, envId))}*`;

/**
 * Approve / Reject… for each type the recipient may give (the same actions as on the channel
 * card). Where several versions' buttons share a message (`unique`), each action_id also names
 * the version after the type (`version_approve:qa:<version id>`); the listeners read the type.
 */
export function decisionButtons(v: Version, types: readonly ApprovalType[], blockId = `decide_${v.id}`, unique = false) {
  const id = (t: ApprovalType) => (unique ? `${t}:${v.id}` : t);
  return actions(
    blockId.slice(0, 255),
    types.flatMap((t) => [button(`Approve ${TYPE_LABEL[t]}`, actionId(ACTION.versionApprove, id(t)), v.id, 'primary'), button(`Reject ${TYPE_LABEL[t]}…`, actionId(ACTION.versionReject, id(t)), v.id)]),
  );
}

/** An approver asked directly: which approvals they can give, with the buttons to give them. */
export function askApproverDm(n: Names, p: Product, v: Version, envId: string, types: readonly ApprovalType[], requester: string, where: string | null): Message {
  const text = `${versionText(p, v, envId, n)} needs your ${typesText(types)} approval — asked by ${userName(n, requester)}.`;
  return {
    text: `${p.name} ${v.version} needs your approval`,
    blocks: [section(text), decisionButtons(v, types), context(where ? `The approval message is in ${where}; deciding here updates it.` : 'Deciding here updates the approval message.')],
  };
}

/** A reminder: how long it has waited and what is still missing. */
export function reminderDm(n: Names, p: Product, v: Version, envId: string, types: readonly ApprovalType[], waitedMs: number, count: number, missing: readonly string[]): Message {
  const text = `:bell: Reminder${count > 1 ? ` ${count}` : ''}: ${versionText(p, v, envId, n)} has waited ${formatDuration(waitedMs)} for ${missingText(n, missing)}.`;
  return { text: `Reminder: ${p.name} ${v.version} waits for approval`, blocks: [section(text), ...(types.length ? [decisionButtons(v, types)] : [])] };
}

/** Escalation to a person (a group member or a role holder) or to a channel. */
export function escalationMessage(n: Names, p: Product, v: Version, envId: string, to: EscalationTarget, waitedMs: number, missing: readonly string[]): Message {
  const group = own(n.state.groups, to.id)?.name;
  const target = to.type === 'group' ? `the group *${esc(group ?? to.id)}*` : to.type === 'role' ? `the holders of *${esc(roleName(n, to.id))}* in ${esc(teamName(n, p.teamId))}` : 'this channel';
  const text = `:rotating_light: Escalated to ${target}: ${versionText(p, v, envId, n)} has waited ${formatDuration(waitedMs)} and still needs ${missingText(n, missing)}. Please decide, or find who can.`;
  return { text: `Escalated: ${p.name} ${v.version} waits for approval`, blocks: [section(text)] };
}

/** To the creator (and in the card's thread): the request ran out of time, and what that means. */
export function timedOutMessage(n: Names, p: Product, v: Version, envId: string, outcome: 'expire' | 'reject', missing: readonly string[], cmd: string): Message {
  const what = versionText(p, v, envId, n);
  const still = missingText(n, missing.filter((m) => !m.startsWith('expired:') && !m.startsWith('rejected: not decided')));
  const text =
    outcome === 'reject'
      ? `:x: ${what} was not approved in time, which its rule counts as a rejection (still missing: ${still}). Ask again when it is ready: \`${cmd} request-approval ${v.id} ${envId}\`.`
      : `:hourglass: The approval request for ${what} expired before it was decided (still missing: ${still}); the deployment stays blocked. Ask again: \`${cmd} request-approval ${v.id} ${envId}\`.`;
  return { text: `${p.name} ${v.version}: approval request ${outcome === 'reject' ? 'rejected by its timeout' : 'expired'}`, blocks: [section(text)] };
}

/** To the requester: nobody decided their access request in time. */
export function requestExpiredDm(n: Names, r: AccessRequest, cmd: string): Message {
  const what = `*${esc(roleName(n, r.roleId))}* ${r.teamId ? `in ${esc(teamName(n, r.teamId))}` : 'globally'}`;
  return {
    text: 'Your access request expired',
    blocks: [section(`:hourglass: Your request for ${what} expired before an administrator decided it. Ask again if you still need it: \`${cmd} request ${r.roleId}${r.teamId ? ` ${r.teamId}` : ''} for ${formatDuration(r.durationMs)} because …\`.`)],
  };
}

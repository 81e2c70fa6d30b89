import type { Account, ApprovalType, AuditEvent } from '@gatehouse/core';
import { followUps, own } from '@gatehouse/core';
import type { Message } from './blocks/common.js';
import { askApproverDm, escalationMessage, reminderDm, requestExpiredDm, timedOutMessage } from './blocks/follow-up.js';
import { approvalChannel } from './channels.js';
import type { Names } from './format.js';

/** One Slack message the follow-up sends: a DM, a channel post, or a reply in the card's thread. */
export interface FollowUpTask {
  /** The queue key (per user or channel) that orders and rate-limits it. */
  key: string;
  to: { kind: 'user'; id: string } | { kind: 'channel'; id: string } | { kind: 'thread'; versionId: string };
  message: Message;
}

/** How many approvers one request asks directly, at most. */
export const ASK_CAP = 10;

/** Which of the missing types each user may give now (grouped: one message per user, whatever the number of types). */
function byUser(account: Account, versionId: string, envId: string, only?: readonly string[]): Map<string, ApprovalType[]> {
  const out = new Map<string, ApprovalType[]>();
  for (const a of account.approvers(versionId, envId)) {
    for (const u of a.userIds) {
      if (only && !only.includes(u)) continue;
      out.set(u, [...(out.get(u) ?? []), a.type]);
    }
  }
  return out;
}

/**
 * The Slack messages a committed event of the follow-up calls for: approvers asked directly when
 * approval is requested (per the rule's `notify`, capped and grouped), reminders and escalations
 * to the people the event names, a timeout told to the creator and in the card's thread, an
 * expired access request told to the requester.
 */
export function followUpTasks(account: Account, e: AuditEvent, n: Names, cmd: string, serverChannel: string | undefined): FollowUpTask[] {
  const s = account.view;
  const a = account.id;
  if (e.type === 'access_request.expired') {
    const r = own(s.requests, e.data.requestId);
    return r ? [{ key: `u:${a}/${r.userId}`, to: { kind: 'user', id: r.userId }, message: requestExpiredDm(n, r, cmd) }] : [];
  }
  if (e.type !== 'version.approval_requested' && e.type !== 'approval.reminded' && e.type !== 'approval.escalated' && e.type !== 'approval.timed_out') return [];
  const v = own(s.versions, e.data.versionId);
  const p = v ? own(s.products, v.productId) : undefined;
  if (!v || !p) return [];
  const envId = e.data.environmentId;
  const waited = e.at - (own(v.requestedAt, envId) ?? v.createdAt);
  const dm = (userId: string, message: Message): FollowUpTask => ({ key: `u:${a}/${userId}`, to: { kind: 'user', id: userId }, message });
  switch (e.type) {
    case 'version.approval_requested': {
      const policy = followUps.policyFor(s, v, envId);
      if ((policy.notify ?? 'dm') !== 'dm' || account.evaluate({ versionId: v.id, environmentId: envId }).ready) return [];
      const channel = approvalChannel(s, p.id, [envId], serverChannel);
      return [...byUser(account, v.id, envId)].slice(0, ASK_CAP).map(([u, types]) => dm(u, askApproverDm(n, p, v, envId, types, e.actor, channel ? `<#${channel}>` : null)));
    }
    case 'approval.reminded': {
      const types = byUser(account, v.id, envId, e.data.userIds);
      return e.data.userIds.map((u) => dm(u, reminderDm(n, p, v, envId, types.get(u) ?? [], waited, e.data.n, e.data.missing)));
    }
    case 'approval.escalated': {
      const message = escalationMessage(n, p, v, envId, e.data.to, waited, e.data.missing);
      if (e.data.to.type === 'channel') return [{ key: `c:${a}/${e.data.to.id}`, to: { kind: 'channel', id: e.data.to.id }, message }];
      return e.data.userIds.map((u) => dm(u, message));
    }
    case 'approval.timed_out': {
      const message = timedOutMessage(n, p, v, envId, e.data.outcome, e.data.missing, cmd);
      return [dm(v.createdBy, message), { key: `v:${a}/${v.id}`, to: { kind: 'thread', versionId: v.id }, message }];
    }
  }
}

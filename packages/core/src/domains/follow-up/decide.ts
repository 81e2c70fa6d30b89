import type { EventBody } from '../../events/schema.js';
import type { AuthzView, Decide } from '../../kernel/decider.js';
import { own } from '../../own.js';
import type { AccountState, ApprovalPolicy, Delegation, EscalationTarget, Version } from '../../schemas.js';
import { grantsOfRole, usersOfSubject } from '../../state/derived.js';
import type { ApproverPool } from '../approvals/queries.js';
import { approverPool, approversFor } from '../approvals/queries.js';
import { evaluateIn } from '../approvals/evaluate.js';
import { activeDelegations } from '../delegations/queries.js';
import { followUpDue, policyFor } from './policy.js';
import { DEFAULT_REQUEST_TTL_MS, parseScheduleKey, scheduleOf } from './schedule.js';

/** How many people one reminder or escalation names at most (the rest see the channel message). */
export const NOTIFY_CAP = 20;

export interface FollowUpResult {
  reminders: number;
  escalations: number;
  timeouts: number;
  expiredRequests: number;
  /** When the next follow-up falls due after this tick, or null. */
  next: number | null;
}

/** The users able to give what is missing now, and their delegates, at most NOTIFY_CAP. */
function whoToRemind(s: AccountState, authz: AuthzView, pool: ApproverPool, delegations: readonly Delegation[], v: Version, env: string): string[] {
  const out = new Set<string>();
  for (const a of approversFor(s, authz, v.id, env, pool)) for (const u of a.userIds) out.add(u);
  for (const d of delegations) if (out.has(d.delegatorId) && d.delegateId !== v.createdBy) out.add(d.delegateId);
  return [...out].slice(0, NOTIFY_CAP);
}

function targetUsers(s: AccountState, to: EscalationTarget, v: Version, now: number): string[] {
  if (to.type === 'channel') return [];
  if (to.type === 'group') return usersOfSubject(s, { type: 'group', id: to.id }).filter((u) => own(s.users, u)?.active).slice(0, NOTIFY_CAP);
  const team = own(s.products, v.productId)?.teamId ?? null;
  const users = new Set<string>();
  for (const g of grantsOfRole(s, to.id)) {
    if ((g.teamId !== null && g.teamId !== team) || (g.expiresAt !== null && g.expiresAt <= now)) continue;
    for (const u of usersOfSubject(s, g.subject)) if (own(s.users, u)?.active) users.add(u);
  }
  return [...users].sort().slice(0, NOTIFY_CAP);
}

/**
 * One tick of the follow-up: for what is due — reminders, escalations, timeouts, access requests
 * left undecided — the events that record it. Each due item is recorded once: a second instance
 * deciding the same tick loses the append, decides again against the state with the first one's
 * events, and finds nothing due. After a restart, what fell due while down fires once.
 */
export const runFollowUps: Decide<{ limit: number }, FollowUpResult> = (s, { limit }, env) => {
  const { now } = env;
  const events: EventBody[] = [];
  const result: FollowUpResult = { reminders: 0, escalations: 0, timeouts: 0, expiredRequests: 0, next: null };
  // Who may approve and who stands in for whom, found once for every version reminded in this tick.
  const pool = approverPool(s, env.authz);
  let delegations: Delegation[] | null = null;
  // The policy depends on the product and environment only: one reading of the rules for them all.
  const policies = new Map<string, ApprovalPolicy>();
  const policyOf = (v: Version, envId: string): ApprovalPolicy => {
    const key = `${v.productId}\0${envId}`;
    let p = policies.get(key);
    if (!p) policies.set(key, (p = policyFor(s, v, envId)));
    return p;
  };
  for (const key of scheduleOf(s).due(now, limit)) {
    const item = parseScheduleKey(key);
    if (item.kind === 'request') {
      const r = own(s.requests, item.requestId);
      if (r?.status === 'pending' && r.createdAt + (s.settings.accessRequestTtlMs ?? DEFAULT_REQUEST_TTL_MS) <= now) {
        events.push({ type: 'access_request.expired', data: { requestId: r.id } });
        result.expiredRequests++;
      }
      continue;
    }
    const v = own(s.versions, item.versionId);
    if (!v) continue;
    const envId = item.environmentId;
    const policy = policyOf(v, envId);
    const due = followUpDue(s, v, envId, policy).filter((d) => d.at <= now);
    if (!due.length) continue;
    const missing = evaluateIn(s, v.id, envId).missing;
    if (due.some((d) => d.kind === 'timeout')) {
      events.push({ type: 'approval.timed_out', data: { versionId: v.id, environmentId: envId, outcome: policy.timeoutOutcome ?? 'expire', missing } });
      result.timeouts++;
      continue;
    }
    if (due.some((d) => d.kind === 'escalation') && policy.escalateTo) {
      events.push({ type: 'approval.escalated', data: { versionId: v.id, environmentId: envId, to: policy.escalateTo, userIds: targetUsers(s, policy.escalateTo, v, now), missing } });
      result.escalations++;
    }
    if (due.some((d) => d.kind === 'reminder')) {
      const n = (own(v.followUp, envId)?.reminders ?? 0) + 1;
      events.push({ type: 'approval.reminded', data: { versionId: v.id, environmentId: envId, n, userIds: whoToRemind(s, env.authz, pool, (delegations ??= activeDelegations(s, now)), v, envId), missing } });
      result.reminders++;
    }
  }
  result.next = scheduleOf(s).next();
  return { events, result };
};

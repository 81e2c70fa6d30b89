import type { ApprovalType } from '../../authz/permissions.js';
import { APPROVAL_TYPES } from '../../authz/permissions.js';
import { environmentFor, versionOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { AccountState, Version } from '../../schemas.js';

export interface RequirementStatus {
  type: ApprovalType;
  quorum: number;
  approvedBy: string[];
  rejectedBy: string[];
  /** Approvals still needed (0 when satisfied; quorum when rejected until the rejection is withdrawn). */
  missing: number;
  satisfied: boolean;
}

export interface Evaluation {
  versionId: string;
  environmentId: string;
  ready: boolean;
  rules: string[];
  separationOfDuties: boolean;
  requirements: RequirementStatus[];
  release: { required: boolean; releaseId: string | null; approved: boolean; approvedBy: string[]; rejectedBy: string[] } | null;
  /** Short descriptions of what is missing, e.g. `qa: 1 more approval`, `release approval`. */
  missing: string[];
  /** The request ran out of time before it was decided (the rule's timeout), and how that counts. */
  timedOut?: { at: number; outcome: 'expire' | 'reject' };
}

/** Whether separation of duties applies to a version: on unless every rule for its product switches it off. */
export function sodApplies(s: AccountState, v: Version): boolean {
  const rules = Object.values(s.rules).filter((r) => r.productId === null || r.productId === v.productId);
  return rules.length === 0 || rules.some((r) => r.separationOfDuties);
}

function releaseStatus(s: AccountState, v: Version, missing: string[]): Evaluation['release'] {
  const rel = v.releaseId ? own(s.releases, v.releaseId) : undefined;
  const approvedBy = rel?.decisions.filter((d) => d.decision === 'approve').map((d) => d.approverId) ?? [];
  const rejectedBy = rel?.decisions.filter((d) => d.decision === 'reject').map((d) => d.approverId) ?? [];
  const approved = !!rel && approvedBy.length > 0 && rejectedBy.length === 0;
  if (!approved) missing.push(rel ? (rejectedBy.length ? `release approval: rejected by ${rejectedBy.join(', ')}` : 'release approval') : 'release approval (the version is in no release)');
  return { required: true, releaseId: rel?.id ?? null, approved, approvedBy, rejectedBy };
}

/**
 * `evaluate(version, environment)`: ready, or exactly which approvals are missing. Every rule for
 * the environment (and the version's product) applies; per type the highest quorum counts.
 * `draft` evaluates a version as it would be after a decision not yet committed.
 */
export function evaluateIn(s: AccountState, versionId: string, environmentId: string, draft?: Version): Evaluation {
  const v = draft ?? versionOf(s, versionId);
  environmentFor(s, environmentId, v.productId);
  const rules = Object.values(s.rules).filter((r) => r.environmentId === environmentId && (r.productId === null || r.productId === v.productId));
  const quorum = new Map<ApprovalType, number>();
  for (const r of rules) for (const q of r.requirements) quorum.set(q.type, Math.max(quorum.get(q.type) ?? 0, q.quorum));
  const sod = rules.some((r) => r.separationOfDuties);
  const requirements: RequirementStatus[] = APPROVAL_TYPES.filter((t) => quorum.has(t)).map((type) => {
    const q = quorum.get(type) ?? 0;
    // Whose approval a decision is: the delegator's when a delegate gave it.
    const latest = v.decisions.filter((d) => d.type === type && !(sod && (d.onBehalfOf ?? d.approverId) === v.createdBy));
    const approvedBy = latest.filter((d) => d.decision === 'approve').map((d) => d.onBehalfOf ?? d.approverId);
    const rejectedBy = latest.filter((d) => d.decision === 'reject').map((d) => d.onBehalfOf ?? d.approverId);
    const satisfied = rejectedBy.length === 0 && approvedBy.length >= q;
    return { type, quorum: q, approvedBy, rejectedBy, satisfied, missing: satisfied ? 0 : rejectedBy.length ? q : q - approvedBy.length };
  });
  const missing: string[] = requirements
    .filter((r) => !r.satisfied)
    .map((r) => (r.rejectedBy.length ? `${r.type}: rejected by ${r.rejectedBy.join(', ')}` : `${r.type}: ${r.missing} more approval${r.missing > 1 ? 's' : ''}`));
  const release = rules.some((r) => r.requireReleaseApproval) ? releaseStatus(s, v, missing) : null;
  const timedOut = own(v.followUp, environmentId)?.timedOut ?? null;
  if (timedOut && missing.length) missing.unshift(timedOut.outcome === 'reject' ? 'rejected: not decided in time (the rule\'s timeout)' : 'expired: not decided in time — ask for approval again');
  return { versionId: v.id, environmentId, ready: missing.length === 0, rules: rules.map((r) => r.id), separationOfDuties: sod, requirements, release, missing, ...(timedOut ? { timedOut } : {}) };
}

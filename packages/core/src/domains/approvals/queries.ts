import type { ApprovalType } from '../../authz/permissions.js';
import { approvalPermission } from '../../authz/permissions.js';
import type { Actor, AuthzView } from '../../kernel/decider.js';
import { own } from '../../own.js';
import type { AccountState, Product, Version } from '../../schemas.js';
import type { Evaluation } from './evaluate.js';
import { activeDelegations } from '../delegations/queries.js';
import type { FollowUpInfo } from '../follow-up/policy.js';
import { followUpInfo, policyFor } from '../follow-up/policy.js';
import { evaluateIn } from './evaluate.js';

export interface PendingApproval {
  version: Version;
  product: Product;
  environmentId: string;
  evaluation: Evaluation;
  /** Types this user may give now. */
  canGive: ApprovalType[];
  /** When it was requested, when it times out, whether it is overdue. */
  followUp: FollowUpInfo;
  /** The users on whose behalf this user may give them (delegations in force), if any. */
  onBehalfOf: string[];
}

/** Versions waiting for approval types this user could give now, oldest first. */
export function pendingApprovals(s: AccountState, authz: AuthzView, userId: string, actor: Actor, now: number): PendingApproval[] {
  const out: PendingApproval[] = [];
  const personal = !actor.keyId || own(s.keys, actor.keyId)?.kind === 'personal_token';
  const delegators = personal ? activeDelegations(s, now).filter((d) => d.delegateId === userId) : [];
  for (const v of Object.values(s.versions)) {
    if (v.requestedFor.length === 0) continue;
    if (v.releaseId && own(s.releases, v.releaseId)?.archived) continue;
    const product = own(s.products, v.productId);
    if (!product) continue;
    for (const environmentId of v.requestedFor) {
      const evaluation = evaluateIn(s, v.id, environmentId);
      if (evaluation.ready) continue;
      const open = evaluation.requirements.filter((r) => !r.satisfied && !(evaluation.separationOfDuties && v.createdBy === userId));
      const canGive = open.filter((r) => !r.approvedBy.includes(userId) && authz.actorCan(actor, approvalPermission(r.type), product.teamId)).map((r) => r.type);
      // Through a delegation: types the delegator holds now and has not given, unless the rule forbids it.
      const onBehalfOf: string[] = [];
      if (delegators.length > 0 && policyFor(s, v, environmentId).allowDelegation !== false) {
        for (const d of delegators) {
          if (evaluation.separationOfDuties && d.delegatorId === v.createdBy) continue;
          const types = open.filter((r) => !r.approvedBy.includes(d.delegatorId) && (d.types === null || d.types.includes(r.type)) && authz.actorCan({ userId: d.delegatorId }, approvalPermission(r.type), product.teamId)).map((r) => r.type);
          if (!types.length) continue;
          onBehalfOf.push(d.delegatorId);
          for (const t of types) if (!canGive.includes(t)) canGive.push(t);
        }
      }
      if (canGive.length) out.push({ version: v, product, environmentId, evaluation, canGive, followUp: followUpInfo(s, v, environmentId, now), onBehalfOf });
    }
  }
  // Overdue first, then oldest first.
  return out.sort((a, b) => Number(b.followUp.overdue) - Number(a.followUp.overdue) || a.version.createdAt - b.version.createdAt);
}

/** Who could give each approval still missing: active users holding the type's permission in the product's team. */
export interface Approvers {
  type: ApprovalType;
  missing: number;
  /** Users who may give it now (not the creator under separation of duties, not those who already approved). */
  userIds: string[];
}

export function approversFor(s: AccountState, authz: AuthzView, versionId: string, environmentId: string): Approvers[] {
  const e = evaluateIn(s, versionId, environmentId);
  const v = own(s.versions, versionId);
  const product = v ? own(s.products, v.productId) : undefined;
  if (!v || !product) return [];
  const users = Object.values(s.users).filter((u) => u.active);
  return e.requirements
    .filter((r) => !r.satisfied)
    .map((r) => ({
      type: r.type,
      missing: r.missing,
      userIds: users
        .filter((u) => !r.approvedBy.includes(u.id) && !(e.separationOfDuties && u.id === v.createdBy))
        .filter((u) => authz.actorCan({ userId: u.id }, approvalPermission(r.type), product.teamId))
        .map((u) => u.id)
        .sort(),
    }));
}

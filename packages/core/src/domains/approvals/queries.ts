import type { ApprovalType } from '../../authz/permissions.js';
import { approvalPermission } from '../../authz/permissions.js';
import type { Actor, AuthzView } from '../../kernel/decider.js';
import { own } from '../../own.js';
import type { AccountState, Product, Version } from '../../schemas.js';
import type { Evaluation } from './evaluate.js';
import { evaluateIn } from './evaluate.js';

export interface PendingApproval {
  version: Version;
  product: Product;
  environmentId: string;
  evaluation: Evaluation;
  /** Types this user may give now. */
  canGive: ApprovalType[];
}

/** Versions waiting for approval types this user could give now, oldest first. */
export function pendingApprovals(s: AccountState, authz: AuthzView, userId: string, actor: Actor): PendingApproval[] {
  const out: PendingApproval[] = [];
  for (const v of Object.values(s.versions)) {
    if (v.requestedFor.length === 0) continue;
    if (v.releaseId && own(s.releases, v.releaseId)?.archived) continue;
    const product = own(s.products, v.productId);
    if (!product) continue;
    for (const environmentId of v.requestedFor) {
      const evaluation = evaluateIn(s, v.id, environmentId);
      if (evaluation.ready) continue;
      const canGive = evaluation.requirements
        .filter((r) => !r.satisfied && !r.approvedBy.includes(userId))
        .filter(() => !(evaluation.separationOfDuties && v.createdBy === userId))
        .filter((r) => authz.actorCan(actor, approvalPermission(r.type), product.teamId))
        .map((r) => r.type);
      if (canGive.length) out.push({ version: v, product, environmentId, evaluation, canGive });
    }
  }
  return out.sort((a, b) => a.version.createdAt - b.version.createdAt);
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

import type { ApprovalType } from '../../authz/permissions.js';
import { approvalPermission, closePermissions } from '../../authz/permissions.js';
import { STATIC_ROLE_IDS } from '../../authz/roles.js';
import type { Actor, AuthzView } from '../../kernel/decider.js';
import { own } from '../../own.js';
import type { AccountState, Product, Version } from '../../schemas.js';
import { grantsOfRole, usersOfSubject } from '../../state/derived.js';
import { roleById } from '../../state/empty.js';
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

/** Active users who may give an approval type in a team (null: global), sorted. */
export type ApproverPool = (type: ApprovalType, teamId: string | null) => readonly string[];

/**
 * An approver pool for many versions against one state (a follow-up tick): for each type and team,
 * the holders of the roles that carry the permission — found through the grants of those roles,
 * never by checking every user — then checked against the compiled index, remembered. Checking
 * every user for every version reminded made a tick with 10,000 users take a second.
 */
export function approverPool(s: AccountState, authz: AuthzView): ApproverPool {
  const pools = new Map<string, string[]>();
  return (type, teamId) => {
    const key = `${type}\0${teamId ?? ''}`;
    let pool = pools.get(key);
    if (!pool) {
      const permission = approvalPermission(type);
      const candidates = new Set<string>();
      for (const roleId of new Set([...STATIC_ROLE_IDS, ...Object.keys(s.roles)])) {
        const role = roleById(s, roleId);
        if (!role || !closePermissions(role.permissions).has(permission)) continue;
        for (const grant of grantsOfRole(s, roleId)) for (const u of usersOfSubject(s, grant.subject)) candidates.add(u);
      }
      // The index decides (team scope, expiry, deactivation): the grants only say whom to ask.
      pool = [...candidates].filter((u) => own(s.users, u)?.active && authz.actorCan({ userId: u }, permission, teamId)).sort();
      pools.set(key, pool);
    }
    return pool;
  };
}

export function approversFor(s: AccountState, authz: AuthzView, versionId: string, environmentId: string, pool: ApproverPool = approverPool(s, authz)): Approvers[] {
  const e = evaluateIn(s, versionId, environmentId);
  const v = own(s.versions, versionId);
  const product = v ? own(s.products, v.productId) : undefined;
  if (!v || !product) return [];
  return e.requirements
    .filter((r) => !r.satisfied)
    .map((r) => ({
      type: r.type,
      missing: r.missing,
      userIds: pool(r.type, product.teamId).filter((u) => !r.approvedBy.includes(u) && !(e.separationOfDuties && u === v.createdBy)),
    }));
}

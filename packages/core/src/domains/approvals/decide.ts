import type * as C from '../../commands.js';
import { approvalPermission } from '../../authz/permissions.js';
import { DeploymentBlockedError, GatehouseError, ReleaseArchivedError, SeparationOfDutiesError } from '../../errors.js';
import type { EventBody } from '../../events/schema.js';
import type { Decide, DecideEnv } from '../../kernel/decider.js';
import { SYSTEM, unchanged } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { environmentFor, productOf, versionOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { AccountState, Deployment, Version } from '../../schemas.js';
import { activeDelegations } from '../delegations/queries.js';
import { policyFor } from '../follow-up/policy.js';
import { releaseForChange } from '../releases/decide.js';
import { versionByName } from '../../state/derived.js';
import type { Evaluation } from './evaluate.js';
import { evaluateIn, sodApplies } from './evaluate.js';

/** Registers a version; idempotent for CI retries (the same product and version string returns the existing one). */
export const createVersion: Decide<C.Parsed<typeof C.CreateVersionInput>, { version: Version; created: boolean }> = (s, i, env) => {
  const product = productOf(s, i.productId);
  need(env, 'version:create', product.teamId);
  const existingId = versionByName(s, product.id, i.version);
  const existing = existingId === undefined ? undefined : own(s.versions, existingId);
  if (existing) return unchanged({ version: existing, created: false });
  const version: Version = { id: env.newId('ver'), productId: product.id, version: i.version, createdBy: env.actor.userId, createdAt: env.now, releaseId: null, decisions: [], requestedFor: [], message: null, ...(i.commit ? { commit: i.commit } : {}) };
  const events: EventBody[] = [{ type: 'version.created', data: { version } }];
  if (i.releaseId) {
    const r = releaseForChange(s, i.releaseId, product.id);
    need(env, 'release:create', product.teamId);
    events.push({ type: 'release.version_added', data: { releaseId: r.id, versionId: version.id, previousReleaseId: null } });
  }
  return { events, result: { version: { ...version, releaseId: i.releaseId }, created: true } };
};

/** Asks for approval of a version for an environment (the Slack bot then posts the message). */
export const requestApproval: Decide<C.Parsed<typeof C.RequestApprovalInput>, Evaluation> = (s, i, env) => {
  const v = versionOf(s, i.versionId);
  const p = productOf(s, v.productId);
  need(env, 'version:create', p.teamId);
  environmentFor(s, i.environmentId, p.id);
  const evaluation = evaluateIn(s, v.id, i.environmentId);
  // Asked again after its timeout: a new request, and the follow-up starts over.
  if (v.requestedFor.includes(i.environmentId) && !own(v.followUp, i.environmentId)?.timedOut) return unchanged(evaluation);
  return { events: [{ type: 'version.approval_requested', data: { versionId: v.id, environmentId: i.environmentId } }], result: evaluation };
};

/** Records where the approval message lives (set by the Slack bot, as the system). */
export const linkMessage: Decide<C.Parsed<typeof C.LinkMessageInput>, void> = (s, i, env) => {
  versionOf(s, i.versionId);
  if (env.actor.userId !== SYSTEM.userId) throw new GatehouseError('forbidden', 'only the system links messages', {});
  return { events: [{ type: 'version.message_linked', data: { versionId: i.versionId, message: i.message } }], result: undefined };
};

function notArchived(s: AccountState, v: Version, message: string): void {
  if (v.releaseId && own(s.releases, v.releaseId)?.archived) throw new ReleaseArchivedError(message, { releaseId: v.releaseId });
}

export interface VersionDecision {
  changed: boolean;
  version: Version;
  evaluations: Evaluation[];
}

/**
 * Approve or reject a version for one approval type. Idempotent: repeating an approver's latest
 * decision records nothing, so double clicks and retried requests cannot duplicate it.
 */
/**
 * Whose authority a decision uses: the actor's own, or — when the actor lacks the type's
 * permission — a delegator's, through a delegation in force, if the delegator holds it now and the
 * rule allows delegation. Null when neither.
 */
function authority(s: AccountState, v: Version, i: C.Parsed<typeof C.DecideVersionInput>, env: DecideEnv, teamId: string): string | null {
  const perm = approvalPermission(i.approvalType);
  if (env.authz.actorCan(env.actor, perm, teamId)) return env.actor.userId;
  // A delegation is the person's: their personal token may use it, an API key (frozen permissions) not.
  if (env.actor.keyId && own(s.keys, env.actor.keyId)?.kind !== 'personal_token') return null;
  const allowed = v.requestedFor.length === 0 || v.requestedFor.some((e) => policyFor(s, v, e).allowDelegation !== false);
  if (!allowed) return null;
  const d = activeDelegations(s, env.now).find(
    (x) => x.delegateId === env.actor.userId && (x.types === null || x.types.includes(i.approvalType)) && env.authz.actorCan({ userId: x.delegatorId }, perm, teamId),
  );
  return d?.delegatorId ?? null;
}

/**
 * Approve or reject a version for one approval type — as oneself, or on behalf of a delegator.
 * Idempotent: repeating the latest decision of the same authority records nothing, so double clicks
 * and retried requests cannot duplicate it. Separation of duties binds delegates as it binds everyone.
 */
export const decideVersion: Decide<C.Parsed<typeof C.DecideVersionInput>, VersionDecision> = (s, i, env) => {
  const { actor } = env;
  const v = versionOf(s, i.versionId);
  const p = productOf(s, v.productId);
  const principal = authority(s, v, i, env, p.teamId);
  if (principal === null) need(env, approvalPermission(i.approvalType), p.teamId);
  const onBehalfOf = principal !== null && principal !== actor.userId ? principal : undefined;
  notArchived(s, v, 'the version belongs to an archived release: restore it first');
  if ((v.createdBy === actor.userId || v.createdBy === onBehalfOf) && sodApplies(s, v)) {
    throw new SeparationOfDutiesError(onBehalfOf ? "the version's creator cannot approve it, not even through a delegation: ask another approver" : 'the creator of a version cannot approve it: ask another approver', { versionId: v.id, createdBy: v.createdBy });
  }
  const who = onBehalfOf ?? actor.userId;
  const previous = v.decisions.find((d) => (d.onBehalfOf ?? d.approverId) === who && d.type === i.approvalType) ?? null;
  if (previous && previous.decision === i.decision && (i.decision === 'approve' || previous.reason === i.reason)) {
    return unchanged({ changed: false, version: v, evaluations: v.requestedFor.map((e) => evaluateIn(s, v.id, e)) });
  }
  const body: EventBody = {
    type: 'version.decided',
    data: { versionId: v.id, approvalType: i.approvalType, decision: i.decision, reason: i.reason, approverId: actor.userId, previous: previous?.decision ?? null, ...(onBehalfOf ? { onBehalfOf } : {}) },
  };
  // Evaluate against the version as it will be after this decision.
  const others = v.decisions.filter((d) => !((d.onBehalfOf ?? d.approverId) === who && d.type === i.approvalType));
  const draft: Version = { ...v, decisions: [...others, { approverId: actor.userId, type: i.approvalType, decision: i.decision, reason: i.reason, at: env.now, ...(onBehalfOf ? { onBehalfOf } : {}) }] };
  return { events: [body], result: { changed: true, version: draft, evaluations: v.requestedFor.map((e) => evaluateIn(s, v.id, e, draft)) } };
};

/** Creates a deployment; refused while the gate is blocked unless overridden with a reason (break-glass). */
export const createDeployment: Decide<C.Parsed<typeof C.CreateDeploymentInput>, { deployment: Deployment; evaluation: Evaluation }> = (s, i, env) => {
  const v = versionOf(s, i.versionId);
  const p = productOf(s, v.productId);
  need(env, 'deployment:create', p.teamId);
  notArchived(s, v, 'the version belongs to an archived release');
  const evaluation = evaluateIn(s, v.id, i.environmentId);
  if (!evaluation.ready && !i.override) {
    throw new DeploymentBlockedError(`${p.name} ${v.version} cannot go to ${own(s.environments, i.environmentId)?.name ?? i.environmentId}: ${evaluation.missing.join('; ')}`, { missing: evaluation.missing, evaluation });
  }
  const override = !evaluation.ready && i.override ? { reason: i.override.reason, missing: evaluation.missing } : null;
  if (override) need(env, 'gate:override', p.teamId);
  const deployment: Deployment = { id: env.newId('dep'), versionId: v.id, environmentId: i.environmentId, createdBy: env.actor.userId, createdAt: env.now, override };
  const events: EventBody[] = [{ type: 'deployment.created', data: { deployment } }];
  if (override) events.push({ type: 'gate.overridden', data: { deploymentId: deployment.id, versionId: v.id, environmentId: i.environmentId, reason: override.reason, missing: override.missing } });
  return { events, result: { deployment, evaluation } };
};

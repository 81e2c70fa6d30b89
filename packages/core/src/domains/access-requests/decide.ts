import type * as C from '../../commands.js';
import { NotFoundError, RequestNotPendingError, RoleScopeError, SelfChangeError, UserInactiveError, ValidationError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { checkCanGrant, need } from '../../kernel/guards.js';
import { roleOf, teamOf, userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import { durationWords } from '../../limits.js';
import type { AccessRequest, Grant } from '../../schemas.js';
import { assignmentsOf } from '../../state/derived.js';

/** A user asks for a role for a while; a pending identical request is returned instead of a second one. */
export const requestAccess: Decide<C.Parsed<typeof C.RequestAccessInput>, AccessRequest> = (s, i, env) => {
  const u = userOf(s, env.actor.userId);
  if (!u.active) throw new UserInactiveError('deactivated users cannot request access', { userId: u.id });
  const role = roleOf(s, i.roleId);
  if (i.teamId) teamOf(s, i.teamId);
  if (role.kind === 'custom' && (role.scope === 'team') !== (i.teamId !== null)) {
    throw new RoleScopeError(role.scope === 'team' ? `'${role.name}' is a team role: name a team` : `'${role.name}' is a global role: request it without a team`, { roleId: role.id });
  }
  if (i.durationMs > s.settings.maxAccessDurationMs) {
    const most = durationWords(s.settings.maxAccessDurationMs);
    throw new ValidationError(`the longest access you can request is ${most}`, [{ path: 'durationMs', message: `at most ${most}` }]);
  }
  const dup = Object.values(s.requests).find((r) => r.status === 'pending' && r.userId === u.id && r.roleId === role.id && r.teamId === i.teamId);
  if (dup) return unchanged(dup);
  const request: AccessRequest = { id: env.newId('req'), userId: u.id, roleId: role.id, teamId: i.teamId, durationMs: i.durationMs, reason: i.reason, status: 'pending', createdAt: env.now, decidedBy: null, decidedAt: null, decisionReason: null, grantId: null };
  return { events: [{ type: 'access_request.created', data: { request } }], result: request };
};

/** Approve (becomes a time-bound grant, under the same governance rules) or deny an access request. */
export const decideAccessRequest: Decide<C.Parsed<typeof C.DecideAccessInput>, { request: AccessRequest; grant: Grant | null }> = (s, i, env) => {
  const { actor, now } = env;
  const r = own(s.requests, i.requestId);
  if (!r) throw new NotFoundError('access request', i.requestId);
  need(env, 'user_role:manage', r.teamId);
  if (r.userId === actor.userId) throw new SelfChangeError('you cannot decide your own access request: another administrator must', { action: 'request', requestId: r.id });
  if (r.status !== 'pending') {
    if ((r.status === 'approved') === i.approve) return unchanged({ request: r, grant: r.grantId ? (own(s.grants, r.grantId) ?? null) : null });
    throw new RequestNotPendingError(`this request was already ${r.status} by ${r.decidedBy ?? 'someone'}`, { requestId: r.id, status: r.status, decidedBy: r.decidedBy });
  }
  if (!i.approve) {
    const after: AccessRequest = { ...r, status: 'denied', decidedBy: actor.userId, decidedAt: now, decisionReason: i.reason };
    return { events: [{ type: 'access_request.denied', data: { requestId: r.id, reason: i.reason } }], result: { request: after, grant: null } };
  }
  const role = roleOf(s, r.roleId);
  const u = userOf(s, r.userId);
  if (!u.active) throw new UserInactiveError(`${u.id} is deactivated`, { userId: u.id });
  checkCanGrant(s, env, { type: 'user', id: r.userId }, role, r.teamId);
  const grant: Grant = { id: env.newId('grant'), subject: { type: 'user', id: r.userId }, roleId: r.roleId, teamId: r.teamId, expiresAt: now + r.durationMs, grantedBy: actor.userId, grantedAt: now, requestId: r.id };
  const roles = [{ userId: r.userId, before: assignmentsOf(s, r.userId, now), after: assignmentsOf(s, r.userId, now, { addGrants: [grant] }) }];
  const after: AccessRequest = { ...r, status: 'approved', decidedBy: actor.userId, decidedAt: now, grantId: grant.id };
  return {
    events: [
      { type: 'access_request.approved', data: { requestId: r.id, grantId: grant.id } },
      { type: 'grant.created', data: { grant, roles } },
    ],
    result: { request: after, grant },
  };
};

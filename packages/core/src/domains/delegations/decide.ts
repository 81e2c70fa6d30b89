import type * as C from '../../commands.js';
import { APPROVAL_TYPES, approvalPermission } from '../../authz/permissions.js';
import { EscalationError, NotFoundError, SelfChangeError, UserInactiveError, ValidationError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { Delegation } from '../../schemas.js';

const LONGEST = 90 * 86_400_000;

/**
 * The actor names a stand-in who may give their approval types in [from, until). What the
 * delegate may give is checked at each decision against what the delegator then holds, so a
 * delegation never carries more than that; here it must carry something.
 */
export const createDelegation: Decide<C.Parsed<typeof C.DelegateInput>, Delegation> = (s, i, env) => {
  const { actor, authz, now } = env;
  const me = userOf(s, actor.userId);
  if (!me.active) throw new UserInactiveError('deactivated users cannot delegate', { userId: me.id });
  if (i.delegateId === actor.userId) throw new SelfChangeError('you cannot delegate to yourself', { action: 'delegation', userId: actor.userId });
  const delegate = userOf(s, i.delegateId);
  if (!delegate.active) throw new UserInactiveError(`${delegate.name || delegate.id} is deactivated: pick someone else`, { userId: delegate.id });
  const from = i.from ?? now;
  if (i.until <= Math.max(from, now)) throw new ValidationError('a delegation ends in the future: give an end after its start and after now', [{ path: 'until', message: 'must be later' }]);
  if (i.until - from > LONGEST) throw new ValidationError('a delegation lasts at most 90 days', [{ path: 'until', message: 'at most 90 days after the start' }]);
  const scopes = [null, ...authz.teamsOf(actor.userId)];
  const held = APPROVAL_TYPES.filter((t) => scopes.some((team) => authz.actorCan(actor, approvalPermission(t), team)));
  const wanted = i.types ?? held;
  const lacking = wanted.filter((t) => !held.includes(t));
  if (held.length === 0 || lacking.length) {
    throw new EscalationError(held.length === 0 ? 'you give no approvals, so there is nothing to delegate' : `you do not give ${lacking.join(', ')} approvals yourself`, { action: 'delegation', missing: lacking.map((t) => approvalPermission(t)) });
  }
  const delegation: Delegation = { id: env.newId('dlg'), delegatorId: actor.userId, delegateId: delegate.id, types: i.types, from, until: i.until, createdAt: now, createdBy: actor.userId };
  return { events: [{ type: 'delegation.created', data: { delegation } }], result: delegation };
};

/** The delegator ends a delegation (or an administrator with user_role:manage). */
export const removeDelegation: Decide<C.Parsed<typeof C.DelegationRefInput>, void> = (s, { delegationId }, env) => {
  const d = own(s.delegations ?? {}, delegationId);
  if (!d) throw new NotFoundError('delegation', delegationId);
  if (d.delegatorId !== env.actor.userId) need(env, 'user_role:manage', null);
  return { events: [{ type: 'delegation.removed', data: { delegation: d } }], result: undefined };
};

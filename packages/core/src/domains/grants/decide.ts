import type * as C from '../../commands.js';
import { GatehouseError, NotFoundError, RoleScopeError, UserInactiveError, ValidationError } from '../../errors.js';
import type { EventBody } from '../../events/schema.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { adminWarnings, checkCanGrant, keepAnAdmin, need, notSelf } from '../../kernel/guards.js';
import { groupOf, roleOf, teamOf, userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { Grant } from '../../schemas.js';
import { assignmentsOf, grantsOfSubject, usersOfSubject } from '../../state/derived.js';
import type { RoleChangeResult } from '../users/decide.js';

/**
 * Grants a role to a user or group, globally or in a team, optionally time-bound. Granting what is
 * held already changes nothing (no event); a grant for a duration only ever extends the one held,
 * while an exact `expiresAt` (configuration as code) sets its expiry, earlier or later.
 */
export const assignRole: Decide<C.Parsed<typeof C.AssignRoleInput>, RoleChangeResult> = (s, i, env) => {
  const { now } = env;
  const role = roleOf(s, i.roleId);
  if (i.teamId !== null) teamOf(s, i.teamId);
  if (role.kind === 'custom' && (role.scope === 'team') !== (i.teamId !== null)) {
    throw new RoleScopeError(role.scope === 'team' ? `'${role.name}' is a team role: name the team to grant it in` : `'${role.name}' is a global role: grant it without a team`, { roleId: role.id, scope: role.scope });
  }
  if (i.subject.type === 'user') {
    const u = userOf(s, i.subject.id);
    if (!u.active) throw new UserInactiveError(`${u.id} is deactivated: reactivate them first`, { userId: u.id });
  } else groupOf(s, i.subject.id);
  checkCanGrant(s, env, i.subject, role, i.teamId);
  const expiresAt = i.durationMs !== undefined ? now + i.durationMs : i.expiresAt;
  if (expiresAt !== null && expiresAt <= now) throw new ValidationError('expiresAt is in the past', [{ path: 'expiresAt', message: 'must be in the future' }]);
  const existing = grantsOfSubject(s, i.subject).find((g) => g.roleId === role.id && g.teamId === i.teamId);
  if (existing && (existing.expiresAt === expiresAt || (i.durationMs !== undefined && covers(existing, expiresAt)))) return unchanged({ grant: existing, changed: false, warnings: adminWarnings(s) });
  const grant: Grant = { id: env.newId('grant'), subject: i.subject, roleId: role.id, teamId: i.teamId, expiresAt, grantedBy: env.actor.userId, grantedAt: now, requestId: null };
  const delta = { addGrants: [grant], removeGrantIds: existing ? [existing.id] : [] };
  const roles = usersOfSubject(s, i.subject).map((userId) => ({ userId, before: assignmentsOf(s, userId, now), after: assignmentsOf(s, userId, now, delta) }));
  const events: EventBody[] = [];
  if (existing) {
    // Replacing a grant with another expiry: a permanent Admin becoming time-bound counts as losing one.
    keepAnAdmin(s, { grantIds: expiresAt === null ? [] : [existing.id] });
    events.push({ type: 'grant.revoked', data: { grant: existing, roles: [] } });
  }
  events.push({ type: 'grant.created', data: { grant, roles } });
  return { events, result: { grant, changed: true, warnings: adminWarnings(s), ...(existing ? { replaced: existing } : {}) } };
};

/**
 * An expiry moves by less than this and nothing changed: expiries are shown to the minute, and a
 * duration is at least one. (`for 2d` typed again a few seconds later is a repeat, not an extension.)
 */
const MIN_EXPIRY_CHANGE_MS = 60_000;

/**
 * Whether a grant already held covers a grant for a duration until `expiresAt`: it is permanent,
 * or it ends later (a duration never shortens a grant; an exact `expiresAt` sets it), or no more
 * than a minute earlier.
 */
function covers(held: Grant, expiresAt: number | null): boolean {
  if (held.expiresAt === null) return true;
  return expiresAt !== null && expiresAt - held.expiresAt < MIN_EXPIRY_CHANGE_MS;
}

export const revokeRole: Decide<C.Parsed<typeof C.RevokeRoleInput>, RoleChangeResult> = (s, i, env) => {
  const { now } = env;
  const grant = 'grantId' in i ? own(s.grants, i.grantId) : grantsOfSubject(s, i.subject).find((g) => g.roleId === i.roleId && g.teamId === i.teamId);
  if (!grant) {
    if ('grantId' in i) throw new NotFoundError('grant', i.grantId);
    const where = i.teamId ? `in team ${i.teamId}` : 'globally';
    throw new GatehouseError('not_found', `${i.subject.type} ${i.subject.id} does not hold ${i.roleId} ${where}`, { ...i });
  }
  need(env, 'user_role:manage', grant.teamId);
  const users = usersOfSubject(s, grant.subject);
  if (users.includes(env.actor.userId)) notSelf(env.actor, env.actor.userId);
  const without = { grantIds: [grant.id] };
  keepAnAdmin(s, without);
  const roles = users.map((userId) => ({ userId, before: assignmentsOf(s, userId, now), after: assignmentsOf(s, userId, now, { removeGrantIds: [grant.id] }) }));
  return { events: [{ type: 'grant.revoked', data: { grant, roles } }], result: { grant, changed: true, warnings: adminWarnings(s, without) } };
};

/** Removes grants whose expiry has passed and logs each; they stopped counting at expiry already. */
export const sweepExpired: Decide<void, Grant[]> = (s, _input, { now }) => {
  const expired = Object.values(s.grants).filter((g) => g.expiresAt !== null && g.expiresAt <= now);
  const events: EventBody[] = expired.map((grant) => ({
    type: 'grant.expired',
    data: {
      grant,
      roles: usersOfSubject(s, grant.subject).map((userId) => ({
        userId,
        before: [...assignmentsOf(s, userId, now), { roleId: grant.roleId, teamId: grant.teamId, expiresAt: grant.expiresAt, via: grant.subject.type === 'group' ? grant.subject.id : null }],
        after: assignmentsOf(s, userId, now),
      })),
    },
  }));
  return { events, result: expired };
};

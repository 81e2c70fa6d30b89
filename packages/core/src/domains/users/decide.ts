import * as C from '../../commands.js';
import { ValidationError } from '../../errors.js';
import type { EventBody } from '../../events/schema.js';
import type { Decide } from '../../kernel/decider.js';
import { SYSTEM, unchanged } from '../../kernel/decider.js';
import { adminWarnings, keepAnAdmin, need, notSelf, roleDiff } from '../../kernel/guards.js';
import { userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { Grant, User } from '../../schemas.js';

/** What a role change did: the grant, whether anything changed, and `single_admin` while one Admin remains. */
export interface RoleChangeResult {
  grant: Grant | null;
  changed: boolean;
  warnings: string[];
  /** The grant an assignment replaced: the same role and scope with another expiry (extended, or set). */
  replaced?: Grant;
}

export interface CreateAccountInput {
  name: string;
  admins: { userId: string; name?: string; email?: string | null }[];
  defaultRoleId?: string;
}

/** The account with its default team and first Admin(s); nothing when it exists already. */
export const createAccount: Decide<CreateAccountInput, void> = (s, input, env) => {
  if (s.seq > 0) return unchanged(undefined);
  if (input.admins.length === 0) throw new ValidationError('an account needs at least one Admin', [{ path: 'admins', message: 'empty' }]);
  const { now } = env;
  const defaultTeam = { id: 'general', name: 'General', createdAt: now };
  const settings = { ...s.settings, defaultRoleId: input.defaultRoleId ?? 'viewer', defaultTeamId: defaultTeam.id };
  const events: EventBody[] = [{ type: 'account.created', data: { name: input.name, settings, defaultTeam } }];
  for (const a of input.admins) {
    const admin = C.parse(C.EnsureUserInput, { userId: a.userId, name: a.name ?? '', email: a.email ?? null });
    const user: User = { id: admin.userId, name: admin.name, email: admin.email, active: true, serviceAccount: false, createdAt: now };
    const grant: Grant = { id: env.newId('grant'), subject: { type: 'user', id: user.id }, roleId: 'admin', teamId: null, expiresAt: null, grantedBy: SYSTEM.userId, grantedAt: now, requestId: null };
    events.push({ type: 'user.added', data: { user } });
    events.push({ type: 'grant.created', data: { grant, roles: [{ userId: user.id, before: [], after: [{ roleId: 'admin', teamId: null, expiresAt: null, via: null }] }] } });
  }
  return { events, result: undefined };
};

/** A newcomer lands in the default team with the default role; a known user's name/email are refreshed. */
export const ensureUser: Decide<C.Parsed<typeof C.EnsureUserInput>, User> = (s, i, env) => {
  const existing = own(s.users, i.userId);
  if (existing) {
    const after = { ...existing, name: i.name || existing.name, email: i.email ?? existing.email };
    if (after.name === existing.name && after.email === existing.email) return unchanged(existing);
    return { events: [{ type: 'user.updated', data: { userId: i.userId, before: existing, after } }], result: after };
  }
  const { now } = env;
  const user: User = { id: i.userId, name: i.name, email: i.email, active: true, serviceAccount: i.serviceAccount, createdAt: now };
  const { defaultRoleId, defaultTeamId } = s.settings;
  const grant: Grant = { id: env.newId('grant'), subject: { type: 'user', id: user.id }, roleId: defaultRoleId, teamId: defaultTeamId, expiresAt: null, grantedBy: SYSTEM.userId, grantedAt: now, requestId: null };
  return {
    events: [
      { type: 'user.added', data: { user } },
      { type: 'grant.created', data: { grant, roles: [{ userId: user.id, before: [], after: [{ roleId: defaultRoleId, teamId: defaultTeamId, expiresAt: null, via: null }] }] } },
    ],
    result: user,
  };
};

export const deactivateUser: Decide<C.Parsed<typeof C.UserRefInput>, RoleChangeResult> = (s, { userId }, env) => {
  need(env, 'user_role:manage', null);
  notSelf(env.actor, userId);
  const u = userOf(s, userId);
  if (!u.active) return unchanged({ grant: null, changed: false, warnings: adminWarnings(s) });
  keepAnAdmin(s, { userIds: [userId] });
  const roles = roleDiff(s, env.now, [userId], () => []);
  return { events: [{ type: 'user.deactivated', data: { userId, roles } }], result: { grant: null, changed: true, warnings: adminWarnings(s, { userIds: [userId] }) } };
};

export const reactivateUser: Decide<C.Parsed<typeof C.UserRefInput>, void> = (s, { userId }, env) => {
  need(env, 'user_role:manage', null);
  notSelf(env.actor, userId);
  const u = userOf(s, userId);
  return { events: u.active ? [] : [{ type: 'user.reactivated', data: { userId } }], result: undefined };
};

/** An administrator adds a user or service account (or refreshes their name and email). */
export const addUser: Decide<C.Parsed<typeof C.AddUserInput>, User> = (s, i, env) => {
  need(env, 'user_role:manage', null);
  const out = ensureUser(s, i, env);
  // Without the default role: only the user.added event of a newcomer.
  return i.defaultRole || own(s.users, i.userId) ? out : { events: out.events.filter((e) => e.type === 'user.added'), result: out.result };
};

/** Sets a user's name and email exactly (user_role:manage). */
export const updateUser: Decide<C.Parsed<typeof C.UpdateUserInput>, User> = (s, i, env) => {
  need(env, 'user_role:manage', null);
  const before = userOf(s, i.userId);
  if (before.name === i.name && before.email === i.email) return unchanged(before);
  const after = { ...before, name: i.name, email: i.email };
  return { events: [{ type: 'user.updated', data: { userId: i.userId, before, after } }], result: after };
};

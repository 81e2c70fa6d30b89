import type * as C from '../../commands.js';
import { ConflictError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { adminWarnings, checkCanGrant, keepAnAdmin, need, notSelf, roleDiff } from '../../kernel/guards.js';
import { groupOf, roleOf, userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { Group } from '../../schemas.js';
import { assignmentsOf, grantsOfSubject } from '../../state/derived.js';
import type { RoleChangeResult } from '../users/decide.js';

export const createGroup: Decide<C.Parsed<typeof C.CreateGroupInput>, { groupId: string }> = (s, i, env) => {
  need(env, 'user_role:manage', null);
  const id = i.groupId ?? env.newId('group');
  if (own(s.groups, id)) throw new ConflictError(`group '${id}' already exists`, { groupId: id });
  for (const m of i.members) userOf(s, m);
  const group: Group = { id, name: i.name, members: [...new Set(i.members)], createdAt: env.now };
  return { events: [{ type: 'group.created', data: { group } }], result: { groupId: id } };
};

export const renameGroup: Decide<C.Parsed<typeof C.RenameGroupInput>, void> = (s, { groupId, name }, env) => {
  need(env, 'user_role:manage', null);
  const g = groupOf(s, groupId);
  return { events: g.name === name ? [] : [{ type: 'group.renamed', data: { groupId, before: g.name, after: name } }], result: undefined };
};

/** Adding someone to a group grants them its roles: rules 1–3 apply for each of them. */
export const addGroupMember: Decide<C.Parsed<typeof C.GroupMemberInput>, RoleChangeResult> = (s, { groupId, userId }, env) => {
  need(env, 'user_role:manage', null);
  const g = groupOf(s, groupId);
  userOf(s, userId);
  if (g.members.includes(userId)) return unchanged({ grant: null, changed: false, warnings: adminWarnings(s) });
  notSelf(env.actor, userId);
  for (const grant of grantsOfSubject(s, { type: 'group', id: groupId })) {
    checkCanGrant(s, env, { type: 'user', id: userId }, roleOf(s, grant.roleId), grant.teamId);
  }
  const after = assignmentsOf(s, userId, env.now, { joinGroup: groupId });
  const roles = roleDiff(s, env.now, [userId], () => after);
  return { events: [{ type: 'group.member_added', data: { groupId, userId, roles } }], result: { grant: null, changed: true, warnings: adminWarnings(s) } };
};

export const removeGroupMember: Decide<C.Parsed<typeof C.GroupMemberInput>, RoleChangeResult> = (s, { groupId, userId }, env) => {
  need(env, 'user_role:manage', null);
  const g = groupOf(s, groupId);
  if (!g.members.includes(userId)) return unchanged({ grant: null, changed: false, warnings: adminWarnings(s) });
  notSelf(env.actor, userId);
  const membership = { groupId, userId };
  keepAnAdmin(s, { membership });
  const after = assignmentsOf(s, userId, env.now, { leaveGroup: groupId });
  const roles = roleDiff(s, env.now, [userId], () => after);
  return { events: [{ type: 'group.member_removed', data: { groupId, userId, roles } }], result: { grant: null, changed: true, warnings: adminWarnings(s, { membership }) } };
};

export const deleteGroup: Decide<C.Parsed<typeof C.GroupRefInput>, void> = (s, { groupId }, env) => {
  need(env, 'user_role:manage', null);
  const g = groupOf(s, groupId);
  if (g.members.includes(env.actor.userId)) notSelf(env.actor, env.actor.userId);
  keepAnAdmin(s, { grantIds: grantsOfSubject(s, { type: 'group', id: groupId }).map((x) => x.id) });
  const roles = roleDiff(s, env.now, g.members, (userId) => assignmentsOf(s, userId, env.now, { leaveGroup: groupId }));
  return { events: [{ type: 'group.deleted', data: { group: g, roles } }], result: undefined };
};

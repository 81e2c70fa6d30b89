import type { AccountState, Grant, Subject } from '../schemas.js';
import { usersOfSubject } from '../state/derived.js';
import type { EventBody, RoleAssignment } from './schema.js';

/**
 * What an event means beyond its own state change, written once next to the events: which grants
 * and group memberships it adds or removes, whose roles it changes, whose compiled permissions
 * must be recompiled (or everyone's), and which version it concerns. The account (index upkeep),
 * the state's derived tables and the Slack notifier read these instead of switching on types.
 */

/** A user's roles before and after a change, as role-changing events record them. */
export interface RoleChange {
  readonly userId: string;
  readonly before: readonly RoleAssignment[];
  readonly after: readonly RoleAssignment[];
}

export interface Membership {
  readonly groupId: string;
  readonly userId: string;
}

const NONE: readonly never[] = Object.freeze([]);
// Shared answers for the common "nothing of the kind" case: replay and role changes call these for
// every event, so they allocate only when there is something to say.
const NO_GRANT_CHANGES = Object.freeze({ added: NONE, removed: NONE, subjectsRemoved: NONE });
const NO_MEMBERSHIP_CHANGES = Object.freeze({ joined: NONE, left: NONE });

/** Grants an event adds or removes; `subjectsRemoved`: subjects all of whose grants go with them. */
export function grantChanges(e: EventBody): { added: readonly Grant[]; removed: readonly Grant[]; subjectsRemoved: readonly Subject[] } {
  switch (e.type) {
    case 'grant.created':
      return { added: [e.data.grant], removed: NONE, subjectsRemoved: NONE };
    case 'grant.revoked':
    case 'grant.expired':
      return { added: NONE, removed: [e.data.grant], subjectsRemoved: NONE };
    case 'group.deleted':
      return { added: NONE, removed: NONE, subjectsRemoved: [{ type: 'group', id: e.data.group.id }] };
    default:
      return NO_GRANT_CHANGES;
  }
}

/** Group memberships an event starts or ends. */
export function membershipChanges(e: EventBody): { joined: readonly Membership[]; left: readonly Membership[] } {
  switch (e.type) {
    case 'group.created':
      return { joined: e.data.group.members.map((userId) => ({ groupId: e.data.group.id, userId })), left: NONE };
    case 'group.member_added':
      return { joined: [{ groupId: e.data.groupId, userId: e.data.userId }], left: NONE };
    case 'group.member_removed':
      return { joined: NONE, left: [{ groupId: e.data.groupId, userId: e.data.userId }] };
    case 'group.deleted':
      return { joined: NONE, left: e.data.group.members.map((userId) => ({ groupId: e.data.group.id, userId })) };
    default:
      return NO_MEMBERSHIP_CHANGES;
  }
}

/** The before/after roles an event records ([] for events that change nobody's roles). */
export function roleChangesOf(e: EventBody): readonly RoleChange[] {
  switch (e.type) {
    case 'grant.created':
    case 'grant.revoked':
    case 'grant.expired':
    case 'group.member_added':
    case 'group.member_removed':
    case 'group.deleted':
    case 'user.deactivated':
      return e.data.roles;
    default:
      return NONE;
  }
}

/** Whether the event changes what a role grants, so every user's permissions must be recompiled. */
export function redefinesRoles(e: EventBody): boolean {
  return e.type === 'role.updated' || e.type === 'role.deleted';
}

/**
 * Users whose compiled permissions the event may change, asked of the state *before* the event is
 * applied (a group grant reaches the group's members as they are then).
 */
export function usersTouched(state: AccountState, e: EventBody): readonly string[] {
  const out = new Set<string>();
  forEachUserTouched(state, e, (u) => out.add(u));
  return [...out];
}

/** `usersTouched` without allocating: calls `visit` per user (a user may be visited twice). */
export function forEachUserTouched(state: AccountState, e: EventBody, visit: (userId: string) => void): void {
  const grants = grantChanges(e);
  for (const g of grants.added) for (const u of usersOfSubject(state, g.subject)) visit(u);
  for (const g of grants.removed) for (const u of usersOfSubject(state, g.subject)) visit(u);
  const members = membershipChanges(e);
  for (const m of members.joined) visit(m.userId);
  for (const m of members.left) visit(m.userId);
  if (e.type === 'user.added') visit(e.data.user.id);
  if (e.type === 'user.deactivated' || e.type === 'user.reactivated') visit(e.data.userId);
}

/** The version an event concerns (created, approval requested, decided, deployed, gate overridden), or null. */
export function versionIdOf(e: EventBody): string | null {
  switch (e.type) {
    case 'version.created':
      return e.data.version.id;
    case 'version.approval_requested':
    case 'version.message_linked':
    case 'version.decided':
    case 'approval.reminded':
    case 'approval.escalated':
    case 'approval.timed_out':
    case 'release.version_added':
    case 'gate.overridden':
      return e.data.versionId;
    case 'deployment.created':
      return e.data.deployment.versionId;
    case 'github.review_requested':
      return e.data.review.versionId;
    default:
      return null;
  }
}

import type { EventBody, RoleAssignment } from './events.js';
import type { AccountState } from './schemas.js';
import { usersOfSubject } from './state.js';

/**
 * What an event means beyond its own state change, written once: which users' roles it
 * changes, which users' compiled permissions must be recompiled, whether every user's must be,
 * and which version it concerns. The account (index upkeep), the state's derived tables and the
 * Slack notifier all read these instead of switching on event types themselves.
 */

/** A user's roles before and after a change, as role-changing events record them. */
export interface RoleChange {
  readonly userId: string;
  readonly before: readonly RoleAssignment[];
  readonly after: readonly RoleAssignment[];
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
      return [];
  }
}

/** Whether the event changes what a role grants, so every user's permissions must be recompiled. */
export function redefinesRoles(e: EventBody): boolean {
  return e.type === 'role.updated' || e.type === 'role.deleted';
}

/**
 * Users whose compiled permissions the event may change. `before` is asked of the state the event
 * applies to (a group grant's members must be read before a group deletion removes them),
 * `after` of the state it produced (a user added, a deleted group's former members).
 */
export function usersTouched(state: AccountState, e: EventBody, when: 'before' | 'after'): readonly string[] {
  switch (e.type) {
    case 'grant.created':
    case 'grant.revoked':
    case 'grant.expired':
      return when === 'before' ? usersOfSubject(state, e.data.grant.subject) : [];
    case 'group.deleted':
      return e.data.group.members;
    case 'user.added':
      return [e.data.user.id];
    case 'user.deactivated':
    case 'user.reactivated':
    case 'group.member_added':
    case 'group.member_removed':
      return when === 'before' ? [e.data.userId] : [];
    default:
      return [];
  }
}

/** The version an event concerns (approval requested, decided, deployed, gate overridden), or null. */
export function versionIdOf(e: EventBody): string | null {
  switch (e.type) {
    case 'version.created':
      return e.data.version.id;
    case 'version.approval_requested':
    case 'version.message_linked':
    case 'version.decided':
    case 'release.version_added':
    case 'gate.overridden':
      return e.data.versionId;
    case 'deployment.created':
      return e.data.deployment.versionId;
    default:
      return null;
  }
}

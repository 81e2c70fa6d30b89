import type { Account, RoleAssignment, User } from '@gatehouse/core';

/** `developer in payments, viewer in general (via group oncall)` */
export function rolesText(account: Account, userId: string): string {
  const roles = account.roles(userId);
  if (roles.length === 0) return 'no role';
  return roles.map((r: RoleAssignment) => `${r.roleId}${r.teamId ? ` in ${r.teamId}` : ' (global)'}${r.via ? ` via group ${r.via}` : ''}${r.expiresAt !== null ? ` until ${new Date(r.expiresAt).toISOString()}` : ''}`).join(', ');
}

/** The account's user by id (own properties only: an id like "constructor" is no user). */
export function userOf(account: Account, userId: string): User | undefined {
  return Object.hasOwn(account.view.users, userId) ? account.view.users[userId] : undefined;
}

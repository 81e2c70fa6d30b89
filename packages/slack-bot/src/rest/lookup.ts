import type { Account, Actor, Permission } from '@gatehouse/core';
import { NotFoundError, own } from '@gatehouse/core';

export { own };

/** As `own`, refusing with NotFoundError (404) when the table has no such own property. */
export function found<T>(table: Readonly<Record<string, T>>, entity: string, id: string): T {
  const value = own(table, id);
  if (value === undefined) throw new NotFoundError(entity, id);
  return value;
}

/**
 * Whether a list shows an object to the caller: they hold its view permission in its team (the
 * core's `actorCan`). An account-wide object (team null) reaches every team, so holding the view
 * permission globally or in any of the caller's teams is enough — a team's developers see the
 * production environment they deploy to.
 */
export function visible(account: Account, actor: Actor, permission: Permission, teamId: string | null): boolean {
  if (teamId !== null) return account.actorCan(actor, permission, teamId);
  return account.actorCan(actor, permission, null) || account.teamsOf(actor.userId).some((t) => account.actorCan(actor, permission, t));
}

import type { Account, Actor, Permission } from '@gatehouse/core';
import { NotFoundError } from '@gatehouse/core';

/**
 * The object a table holds under the own property `id` — an id from a URL is user input, so one
 * named like a prototype member (`constructor`, `toString`) is not there: NotFoundError (404).
 */
export function found<T>(table: Readonly<Record<string, T>>, entity: string, id: string): T {
  if (!Object.hasOwn(table, id)) throw new NotFoundError(entity, id);
  return table[id] as T;
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

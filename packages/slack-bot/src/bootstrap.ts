import type { Account, Gatehouse } from '@gatehouse/core';
import { SYSTEM, ValidationError, commands, isGatehouseError } from '@gatehouse/core';
import { own } from './rest/lookup.js';

/** What `ensureAdmins` did for each named user. */
export interface AdminsOutcome {
  readonly account: Account;
  /** The account did not exist and was created with the named Admins. */
  readonly created: boolean;
  /** Made Admin now (on creation, or granted on the existing account). */
  readonly made: string[];
  /** Held the global Admin role already: nothing changed for them. */
  readonly already: string[];
  /** Not made Admin, and why (a deactivated user is not reactivated behind an Admin's back). */
  readonly refused: { userId: string; reason: string }[];
}

/**
 * Makes the named users Admins of the account (the CLI's `bootstrap` and
 * GATEHOUSE_BOOTSTRAP_ADMINS at start-up). A missing account is created with them. On an existing
 * one, each is added if unknown and granted the global Admin role by the system actor; a user who
 * holds it already changes nothing (no event), so running this again is harmless. A deactivated
 * user is refused; with `allOrNothing` nobody is changed then.
 */
export async function ensureAdmins(gatehouse: Gatehouse, accountId: string, input: { name: string; userIds: readonly string[]; allOrNothing?: boolean }): Promise<AdminsOutcome> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) throw new ValidationError('name at least one Admin', [{ path: 'admins', message: 'empty' }]);
  for (const userId of userIds) {
    try {
      commands.parse(commands.EnsureUserInput, { userId });
    } catch (err) {
      throw new ValidationError(`"${userId}" is not a user id (${err instanceof Error ? err.message : String(err)})`, [{ path: 'admins', message: userId }]);
    }
  }

  let account = await gatehouse.account(accountId);
  const existed = account.exists;
  if (!existed) account = await gatehouse.createAccount(accountId, { name: input.name, admins: userIds.map((userId) => ({ userId })) });
  const outcome: AdminsOutcome = { account, created: !existed, made: [], already: [], refused: [] };
  const deactivated = (userId: string) => own(account.view.users, userId)?.active === false;
  for (const userId of userIds.filter(deactivated)) {
    outcome.refused.push({ userId, reason: `${userId} is deactivated in account ${accountId}` });
  }
  if (input.allOrNothing && outcome.refused.length > 0) return outcome;

  for (const userId of userIds) {
    if (deactivated(userId)) continue;
    // Created just now with the account (unless another process created it first, without them).
    if (!existed && account.admins().includes(userId)) {
      outcome.made.push(userId);
      continue;
    }
    try {
      await account.ensureUser({ userId });
      const r = await account.assignRole(SYSTEM, { subject: { type: 'user', id: userId }, roleId: 'admin' });
      (r.changed ? outcome.made : outcome.already).push(userId);
    } catch (err) {
      // Deactivated between the check and the grant (another process).
      if (!isGatehouseError(err) || err.code !== 'user_inactive') throw err;
      outcome.refused.push({ userId, reason: `${userId} is deactivated in account ${accountId}` });
    }
  }
  return outcome;
}

import type { AccountState } from '@gatehouse/core';
import { own } from '../rest/lookup.js';

/** Where messages go: one rule for the notifier and for the replies that say where they went. */

/** The account's approvals channel (`settings channel`), else the server's GATEHOUSE_DEFAULT_CHANNEL. */
export function accountChannel(state: Readonly<AccountState>, serverDefault: string | undefined): string | null {
  return state.settings.defaultChannel || serverDefault || null;
}

/**
 * The channel of a version's approval message: the first requested environment that has one,
 * else the product's, else the account's, else the server's default; null when none is set.
 */
export function approvalChannel(state: Readonly<AccountState>, productId: string, environmentIds: readonly string[], serverDefault: string | undefined): string | null {
  const fromEnvironment = environmentIds.map((id) => own(state.environments, id)?.channel).find((c) => !!c);
  return fromEnvironment || own(state.products, productId)?.channel || accountChannel(state, serverDefault);
}

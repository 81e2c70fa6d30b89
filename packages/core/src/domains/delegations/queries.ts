import type { AccountState, Delegation } from '../../schemas.js';

/** Delegations in force at `now` (from ≤ now < until). */
export function activeDelegations(s: AccountState, now: number): Delegation[] {
  return Object.values(s.delegations ?? {}).filter((d) => d.from <= now && now < d.until);
}

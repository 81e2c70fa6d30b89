import { own } from '../../own.js';
import type { AccountState } from '../../schemas.js';
import { grantsOfRole, usersOfSubject } from '../../state/derived.js';

export interface Holder {
  userId: string;
  teamId: string | null;
  /** The group the role comes through, or null for a direct grant. */
  via: string | null;
  expiresAt: number | null;
}

/** Active users holding a role at `now` (directly or via a group), with the scope of each grant. */
export function holders(s: AccountState, roleId: string, now: number): Holder[] {
  const out: Holder[] = [];
  for (const g of grantsOfRole(s, roleId)) {
    if (g.expiresAt !== null && g.expiresAt <= now) continue;
    for (const u of usersOfSubject(s, g.subject)) {
      if (own(s.users, u)?.active) out.push({ userId: u, teamId: g.teamId, via: g.subject.type === 'group' ? g.subject.id : null, expiresAt: g.expiresAt });
    }
  }
  return out;
}

import { own } from '../../own.js';
import type { AccountState } from '../../schemas.js';
import type { Evolvers } from '../../state/evolver.js';

function setActive(state: AccountState, userId: string, active: boolean): void {
  const u = own(state.users, userId);
  if (u) u.active = active;
}

export const userEvolvers: Evolvers<'user.added' | 'user.updated' | 'user.deactivated' | 'user.reactivated'> = {
  'user.added': (state, e) => {
    state.users[e.data.user.id] = e.data.user;
  },
  'user.updated': (state, e) => {
    state.users[e.data.userId] = e.data.after;
  },
  'user.deactivated': (state, e) => setActive(state, e.data.userId, false),
  'user.reactivated': (state, e) => setActive(state, e.data.userId, true),
};

import type { Evolvers } from '../../state/evolver.js';

export const roleEvolvers: Evolvers<'role.created' | 'role.updated' | 'role.deleted'> = {
  'role.created': (state, e) => {
    state.roles[e.data.role.id] = e.data.role;
  },
  'role.updated': (state, e) => {
    state.roles[e.data.after.id] = e.data.after;
  },
  'role.deleted': (state, e) => {
    delete state.roles[e.data.role.id];
  },
};

import type { Evolvers } from '../../state/evolver.js';

export const delegationEvolvers: Evolvers<'delegation.created' | 'delegation.removed'> = {
  'delegation.created': (state, e) => {
    state.delegations = { ...state.delegations, [e.data.delegation.id]: e.data.delegation };
  },
  'delegation.removed': (state, e) => {
    if (state.delegations) delete state.delegations[e.data.delegation.id];
  },
};

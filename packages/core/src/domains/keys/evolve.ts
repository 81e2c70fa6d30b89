import { own } from '../../own.js';
import type { Evolvers } from '../../state/evolver.js';

export const keyEvolvers: Evolvers<'api_key.created' | 'api_key.revoked'> = {
  'api_key.created': (state, e) => {
    state.keys[e.data.key.id] = e.data.key;
  },
  'api_key.revoked': (state, e) => {
    const k = own(state.keys, e.data.keyId);
    if (k) k.revokedAt = e.at;
  },
};

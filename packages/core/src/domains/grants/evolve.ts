import type { AuditEvent } from '../../events/schema.js';
import type { AccountState } from '../../schemas.js';
import type { Evolvers } from '../../state/evolver.js';

const removeGrant = (state: AccountState, e: Extract<AuditEvent, { type: 'grant.revoked' | 'grant.expired' }>): void => {
  delete state.grants[e.data.grant.id];
};

export const grantEvolvers: Evolvers<'grant.created' | 'grant.revoked' | 'grant.expired'> = {
  'grant.created': (state, e) => {
    state.grants[e.data.grant.id] = e.data.grant;
  },
  'grant.revoked': removeGrant,
  'grant.expired': removeGrant,
};

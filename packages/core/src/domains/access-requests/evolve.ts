import { own } from '../../own.js';
import type { Evolvers } from '../../state/evolver.js';

export const accessRequestEvolvers: Evolvers<'access_request.created' | 'access_request.approved' | 'access_request.denied'> = {
  'access_request.created': (state, e) => {
    state.requests[e.data.request.id] = e.data.request;
  },
  'access_request.approved': (state, e) => {
    const r = own(state.requests, e.data.requestId);
    if (!r) return;
    Object.assign(r, { status: 'approved', decidedBy: e.actor, decidedAt: e.at, grantId: e.data.grantId });
  },
  'access_request.denied': (state, e) => {
    const r = own(state.requests, e.data.requestId);
    if (!r) return;
    Object.assign(r, { status: 'denied', decidedBy: e.actor, decidedAt: e.at, decisionReason: e.data.reason });
  },
};

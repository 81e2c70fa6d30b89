import { own } from '../../own.js';
import type { Evolvers } from '../../state/evolver.js';

/** Versions, their approvals and deployments. */
export const approvalEvolvers: Evolvers<'version.created' | 'version.approval_requested' | 'version.message_linked' | 'version.decided' | 'deployment.created' | 'gate.overridden'> = {
  'version.created': (state, e) => {
    state.versions[e.data.version.id] = e.data.version;
  },
  'version.approval_requested': (state, e) => {
    const v = own(state.versions, e.data.versionId);
    if (!v) return;
    const env = e.data.environmentId;
    if (!v.requestedFor.includes(env)) v.requestedFor.push(env);
    v.requestedAt = { ...v.requestedAt, [env]: e.at };
    // A request made again (after a timeout) starts its follow-up over.
    if (v.followUp && own(v.followUp, env)) {
      const { [env]: _done, ...rest } = v.followUp;
      v.followUp = rest;
    }
  },
  'version.message_linked': (state, e) => {
    const v = own(state.versions, e.data.versionId);
    if (v) v.message = e.data.message;
  },
  'version.decided': (state, e) => {
    const v = own(state.versions, e.data.versionId);
    if (!v) return;
    const d = e.data;
    const who = d.onBehalfOf ?? d.approverId;
    v.decisions = v.decisions.filter((x) => !((x.onBehalfOf ?? x.approverId) === who && x.type === d.approvalType));
    v.decisions.push({ approverId: d.approverId, type: d.approvalType, decision: d.decision, reason: d.reason, at: e.at, ...(d.onBehalfOf ? { onBehalfOf: d.onBehalfOf } : {}) });
  },
  'deployment.created': (state, e) => {
    state.deployments[e.data.deployment.id] = e.data.deployment;
  },
  // The deployment event carries the override; this event exists to be loud in the audit trail.
  'gate.overridden': () => undefined,
};

import type { AuditEvent } from '../../events/schema.js';
import { own } from '../../own.js';
import type { AccountState } from '../../schemas.js';
import type { Evolvers } from '../../state/evolver.js';

type FlagEvent = Extract<AuditEvent, { type: 'release.locked' | 'release.unlocked' | 'release.archived' | 'release.restored' }>;

function setFlag(state: AccountState, e: FlagEvent): void {
  const r = own(state.releases, e.data.releaseId);
  if (!r) return;
  if (e.type === 'release.locked' || e.type === 'release.unlocked') r.locked = e.type === 'release.locked';
  else r.archived = e.type === 'release.archived';
}

export const releaseEvolvers: Evolvers<'release.created' | 'release.version_added' | 'release.locked' | 'release.unlocked' | 'release.archived' | 'release.restored' | 'release.deleted' | 'release.decided'> = {
  'release.created': (state, e) => {
    state.releases[e.data.release.id] = e.data.release;
  },
  'release.version_added': (state, e) => {
    const v = own(state.versions, e.data.versionId);
    if (v) v.releaseId = e.data.releaseId;
  },
  'release.locked': setFlag,
  'release.unlocked': setFlag,
  'release.archived': setFlag,
  'release.restored': setFlag,
  'release.deleted': (state, e) => {
    delete state.releases[e.data.release.id];
    for (const v of Object.values(state.versions)) if (v.releaseId === e.data.release.id) v.releaseId = null;
  },
  'release.decided': (state, e) => {
    const r = own(state.releases, e.data.releaseId);
    if (!r) return;
    const d = e.data;
    r.decisions = r.decisions.filter((x) => x.approverId !== d.approverId);
    r.decisions.push({ approverId: d.approverId, decision: d.decision, reason: d.reason, at: e.at });
  },
};

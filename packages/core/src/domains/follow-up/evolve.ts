import type { AuditEvent } from '../../events/schema.js';
import { own } from '../../own.js';
import type { AccountState, Version } from '../../schemas.js';
import type { Evolvers } from '../../state/evolver.js';

type FollowUp = NonNullable<Version['followUp']>[string];

function followUp(state: AccountState, e: Extract<AuditEvent, { type: 'approval.reminded' | 'approval.escalated' | 'approval.timed_out' }>, change: (f: FollowUp) => FollowUp): void {
  const v = own(state.versions, e.data.versionId);
  if (!v) return;
  // In place, as the other version evolvers: copying the record per event (a spread with a computed
  // key) was a twentieth of a tick of 100 reminders. Ids cannot be `__proto__` (IdSchema).
  const all = (v.followUp ??= {});
  all[e.data.environmentId] = change(own(all, e.data.environmentId) ?? { reminders: 0, lastReminderAt: null, escalatedAt: null, timedOut: null });
}

export const followUpEvolvers: Evolvers<'approval.reminded' | 'approval.escalated' | 'approval.timed_out' | 'access_request.expired'> = {
  'approval.reminded': (state, e) => followUp(state, e, (f) => ({ ...f, reminders: e.data.n, lastReminderAt: e.at })),
  'approval.escalated': (state, e) => followUp(state, e, (f) => ({ ...f, escalatedAt: e.at })),
  'approval.timed_out': (state, e) => followUp(state, e, (f) => ({ ...f, timedOut: { at: e.at, outcome: e.data.outcome } })),
  'access_request.expired': (state, e) => {
    const r = own(state.requests, e.data.requestId);
    if (!r) return;
    r.status = 'expired';
    r.decidedBy = e.actor;
    r.decidedAt = e.at;
  },
};

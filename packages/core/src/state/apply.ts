import { accessRequestEvolvers } from '../domains/access-requests/evolve.js';
import { approvalEvolvers } from '../domains/approvals/evolve.js';
import { catalogEvolvers } from '../domains/catalog/evolve.js';
import { delegationEvolvers } from '../domains/delegations/evolve.js';
import { followUpEvolvers } from '../domains/follow-up/evolve.js';
import { updateSchedule } from '../domains/follow-up/schedule.js';
import { githubEvolvers } from '../domains/github/evolve.js';
import { grantEvolvers } from '../domains/grants/evolve.js';
import { groupEvolvers } from '../domains/groups/evolve.js';
import { keyEvolvers } from '../domains/keys/evolve.js';
import { releaseEvolvers } from '../domains/releases/evolve.js';
import { roleEvolvers } from '../domains/roles/evolve.js';
import { userEvolvers } from '../domains/users/evolve.js';
import type { AuditEvent, EventType } from '../events/schema.js';
import type { AccountState } from '../schemas.js';
import { updateDerived } from './derived.js';
import type { Evolvers } from './evolver.js';

/** Every domain's evolve table; the type makes a missing event type a compile error. */
const EVOLVE: Evolvers<EventType> = {
  ...catalogEvolvers,
  ...userEvolvers,
  ...groupEvolvers,
  ...roleEvolvers,
  ...grantEvolvers,
  ...approvalEvolvers,
  ...releaseEvolvers,
  ...accessRequestEvolvers,
  ...keyEvolvers,
  ...followUpEvolvers,
  ...delegationEvolvers,
  ...githubEvolvers,
};

/**
 * Applies one event to the state, in place: the derived lookup tables first (they read what the
 * event removes), then the domain's evolve, the follow-up schedule, then the log position. Events were validated when they
 * were decided, so applying never refuses; replay rebuilds the state with exactly this.
 */
export function applyEvent(state: AccountState, e: AuditEvent): void {
  updateDerived(state, e);
  (EVOLVE[e.type] as (s: AccountState, e: AuditEvent) => void)(state, e);
  // The follow-up schedule reads the state as the event left it.
  updateSchedule(state, e);
  state.seq = e.seq;
  state.lastHash = e.hash;
}

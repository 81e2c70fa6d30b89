import type { AuditEvent, EventType } from '../events/schema.js';
import type { AccountState } from '../schemas.js';

/**
 * How events of some types change the state, in place. Each domain exports one table for its
 * events; `applyEvent` joins them and the type checker insists every event type has its entry.
 * In place rather than copy-on-write: replaying a long log must stay linear. Deterministic and
 * never refusing, because replay rebuilds the state with it.
 */
export type Evolvers<K extends EventType> = { readonly [T in K]: (state: AccountState, e: Extract<AuditEvent, { type: T }>) => void };


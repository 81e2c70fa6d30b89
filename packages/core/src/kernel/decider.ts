import type { Decision } from '../authz/compiled-index.js';
import type { Permission, PermissionBits } from '../authz/permissions.js';
import type { EventBody } from '../events/schema.js';
import type { AccountState } from '../schemas.js';

/** Who is acting: a user, optionally through an API key or token; or the system itself. */
export interface Actor {
  readonly userId: string;
  readonly keyId?: string | null;
}
export const SYSTEM: Actor = Object.freeze({ userId: 'system' });

/**
 * The read-only authorisation view a decision may consult: the compiled index as it stands
 * before the command (the state a decision sees is the one the index was compiled from).
 */
export interface AuthzView {
  /** Whether an actor (user, or user through a key) may do something in a scope. */
  actorCan(actor: Actor, permission: Permission, teamId: string | null): boolean;
  explain(userId: string, permission: Permission, teamId: string | null): Decision;
  /** The actor's effective bits in a scope (a key's frozen ones when acting through a key). */
  actorBits(actor: Actor, teamId: string | null): PermissionBits;
  permissionsIn(userId: string, teamId: string | null): Permission[];
  /** Teams where the user holds a grant. */
  teamsOf(userId: string): string[];
}

/** Everything a decision needs besides the state and its input: no clock, ids or store of its own. */
export interface DecideEnv {
  readonly now: number;
  readonly actor: Actor;
  /** A fresh id with a prefix (`grant_…`). Deterministic in tests. */
  readonly newId: (prefix: string) => string;
  readonly authz: AuthzView;
}

/** What a decision yields: the events to commit (none = nothing changes) and the caller's result. */
export interface Decided<T> {
  readonly events: EventBody[];
  readonly result: T;
}

/**
 * A command's rule, pure: given the state, the input and the environment, the events it produces
 * and its result — or a typed GatehouseError. Decisions never mutate the state.
 */
export type Decide<I, T> = (state: Readonly<AccountState>, input: I, env: DecideEnv) => Decided<T>;

/** Nothing changes; the result is given back. */
export function unchanged<T>(result: T): Decided<T> {
  return { events: [], result };
}

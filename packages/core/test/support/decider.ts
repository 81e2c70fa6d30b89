import assert from 'node:assert/strict';
import { AuthzIndex } from '../../src/authz/compiled-index.js';
import { IndexView } from '../../src/authz/view.js';
import { SequentialIds } from '../../src/context.js';
import { sealEvent } from '../../src/domains/audit/chain.js';
import { createAccount } from '../../src/domains/users/decide.js';
import type { GatehouseError } from '../../src/errors.js';
import type { EventBody } from '../../src/events/schema.js';
import type { Actor, Decide, DecideEnv, Decided } from '../../src/kernel/decider.js';
import { SYSTEM } from '../../src/kernel/decider.js';
import type { AccountState } from '../../src/schemas.js';
import { applyEvent } from '../../src/state/apply.js';
import { emptyState } from '../../src/state/empty.js';

export const T0 = Date.UTC(2026, 0, 1);
export const ADMIN: Actor = { userId: 'UADMIN' };
export const as = (userId: string): Actor => ({ userId });

/**
 * Given/when/then on the pure domain functions, without storage or the commit loop:
 * `given` applies events to a state, `when` runs one decision against it and checks it left the
 * state untouched, `then` applies what it decided (so the next `when` sees it).
 */
export class World {
  state: AccountState = emptyState('T1');
  now = T0;
  private readonly ids = new SequentialIds();

  /** A world whose account exists, with ADMIN as its only Admin. */
  static withAccount(): World {
    const w = new World();
    w.then(w.when(createAccount, { name: 'Acme', admins: [{ userId: ADMIN.userId, name: 'Ada' }] }, SYSTEM));
    return w;
  }

  env(actor: Actor): DecideEnv {
    const index = new AuthzIndex(this.state, () => this.now);
    return { now: this.now, actor, newId: (p) => this.ids.next(p), authz: new IndexView(index, () => this.state, () => this.now) };
  }

  /** Given these events happened (sealed in one commit as `actor`). */
  given(events: readonly EventBody[], actor: Actor = SYSTEM): this {
    const seq = this.state.seq + 1;
    let prev = this.state.lastHash;
    events.forEach((body, i) => {
      const e = sealEvent(body, { id: `${seq}.${i}`, seq, actor: actor.userId, keyId: actor.keyId ?? null, at: this.now, prev });
      prev = e.hash;
      applyEvent(this.state, e);
    });
    return this;
  }

  /** When `actor` runs the decision: its events and result. The state must not change. */
  when<I, T>(decide: Decide<I, T>, input: I, actor: Actor = ADMIN): Decided<T> {
    const before = JSON.stringify(this.state);
    const out = decide(this.state, input, this.env(actor));
    assert.equal(JSON.stringify(this.state), before, 'a decision must not mutate the state');
    return out;
  }

  /** When `actor` runs the decision, it is refused with `code` (and nothing is decided). */
  refused<I>(decide: Decide<I, unknown>, input: I, actor: Actor, code: string): GatehouseError {
    const before = JSON.stringify(this.state);
    let caught: unknown;
    try {
      decide(this.state, input, this.env(actor));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught, `expected a refusal with ${code}, but the decision succeeded`);
    const err = caught as GatehouseError;
    assert.equal(err.code, code, `expected ${code}, got ${String(err.code)}: ${err.message}`);
    assert.equal(JSON.stringify(this.state), before, 'a refused decision must not mutate the state');
    return err;
  }

  /** Then the decided events happen. */
  then<T>(out: Decided<T>, actor: Actor = ADMIN): T {
    if (out.events.length) this.given(out.events, actor);
    return out.result;
  }
}

/** The event types of a decision, in order. */
export const types = (out: Decided<unknown>): string[] => out.events.map((e) => e.type);

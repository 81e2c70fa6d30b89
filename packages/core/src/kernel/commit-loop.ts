import { Mutex } from 'async-mutex';
import { AuthzIndex } from '../authz/compiled-index.js';
import { IndexView } from '../authz/view.js';
import type { Clock, IdSource, Logger } from '../context.js';
import { sealEvent } from '../domains/audit/chain.js';
import { StorageConflictError } from '../errors.js';
import { forEachUserTouched, redefinesRoles } from '../events/meaning.js';
import type { AuditEvent, Commit } from '../events/schema.js';
import { COMMIT_SCHEMA_VERSION, EventBodySchema } from '../events/schema.js';
import type { AccountState } from '../schemas.js';
import { applyEvent } from '../state/apply.js';
import { emptyState } from '../state/empty.js';
import type { LogStore } from '../store/log-store.js';
import type { Actor, Decide, DecideEnv } from './decider.js';

export interface AccountContext {
  readonly store: LogStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** Write a snapshot every this many commits. */
  readonly snapshotEvery: number;
}

/** A committed change: `local` is false for changes replayed from another process. */
export interface AppliedCommit {
  readonly events: readonly AuditEvent[];
  readonly local: boolean;
}

const MAX_RETRIES = 50;

/**
 * One account's log and what is built from it: the state and the compiled permission index.
 * Every command goes through `commit`: decide against the current state, seal and append one
 * commit, apply it. Writes are serialised in-process by a mutex and across processes by the
 * store's set-if-absent append: a writer that loses the race reads the winner's commit and decides
 * again, so invariants are checked against the state the commit really follows.
 */
export class CommitLoop {
  state: AccountState;
  readonly index: AuthzIndex;
  readonly authz: IndexView;
  private readonly mutex = new Mutex();
  private lastSnapshotSeq = 0;
  private watchTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** A catch-up for a notified commit is queued (one at a time: it reads everything new). */
  private pulling = false;

  private constructor(
    readonly accountId: string,
    private readonly ctx: AccountContext,
    private readonly onApplied: (c: AppliedCommit) => void,
  ) {
    this.state = emptyState(accountId);
    this.index = new AuthzIndex(this.state, () => ctx.clock.now());
    this.authz = new IndexView(this.index, () => this.state, () => ctx.clock.now());
  }

  /** Loads from the newest snapshot and replays the log after it. */
  static async load(accountId: string, ctx: AccountContext, onApplied: (c: AppliedCommit) => void): Promise<CommitLoop> {
    const loop = new CommitLoop(accountId, ctx, onApplied);
    const snap = await ctx.store.loadSnapshot(accountId);
    if (snap) {
      loop.state = snap.state;
      loop.lastSnapshotSeq = snap.seq;
    }
    const commits = await ctx.store.readCommits(accountId, loop.state.seq);
    for (const c of commits) for (const e of c.events) applyEvent(loop.state, e);
    loop.index.reset(loop.state);
    return loop;
  }

  /** Decides, appends and applies one command; retried against the new state when another writer won. */
  async commit<I, T>(actor: Actor, decide: Decide<I, T>, input: I): Promise<T> {
    return this.mutex.runExclusive(async () => {
      // With several processes (Redis, PostgreSQL) another may have written since we last looked.
      if (this.ctx.store.kind === 'redis' || this.ctx.store.kind === 'postgres') await this.catchUp();
      for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
        const now = this.ctx.clock.now();
        const { events, result } = decide(this.state, input, { now, actor, newId: (prefix) => this.ctx.ids.next(prefix), authz: this.authz });
        if (events.length === 0) return result;
        const seq = this.state.seq + 1;
        let prev = this.state.lastHash;
        const sealed = events.map((body, i) => {
          const e = sealEvent(EventBodySchema.parse(body), { id: `${seq}.${i}`, seq, actor: actor.userId, keyId: actor.keyId ?? null, at: now, prev });
          prev = e.hash;
          return e;
        });
        const commit: Commit = { v: COMMIT_SCHEMA_VERSION, seq, events: sealed };
        if (await this.ctx.store.tryAppend(this.accountId, commit)) {
          this.apply(commit, true);
          await this.maybeSnapshot();
          return result;
        }
        // Lost the race: read the winner's commit(s) and decide again against the new state.
        await this.catchUp();
      }
      throw new StorageConflictError(this.accountId, MAX_RETRIES);
    });
  }

  /** An environment to decide in without committing (planning): ids it makes are placeholders. */
  envFor(actor: Actor): DecideEnv {
    let n = 0;
    return { now: this.ctx.clock.now(), actor, newId: (prefix) => `${prefix}_planned_${++n}`, authz: this.authz };
  }

  /** Reads and applies commits written by others. Returns how many. */
  async refresh(): Promise<number> {
    return this.mutex.runExclusive(() => this.catchUp());
  }

  /**
   * Polls the log for commits by other processes, so they show within `intervalMs`; where the store
   * can tell of new commits (`subscribe`), catches up on each one at once and polls only as a fallback.
   */
  watch(intervalMs: number): void {
    if (this.watchTimer) return;
    this.unsubscribe = this.ctx.store.subscribe?.((accountId, seq) => this.notified(accountId, seq)) ?? null;
    this.watchTimer = setInterval(() => {
      if (this.mutex.isLocked()) return;
      this.mutex
        .runExclusive(() => this.catchUp())
        .catch((err: unknown) => this.ctx.logger.error('catch-up failed', { account: this.accountId, err: String(err) }));
    }, intervalMs);
    this.watchTimer.unref();
  }

  stopWatching(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Another process (or this one) committed `seq`: catch up unless it is already applied. */
  private notified(accountId: string, seq: number): void {
    if (accountId !== this.accountId || seq <= this.state.seq || this.pulling) return;
    this.pulling = true;
    this.mutex
      .runExclusive(() => {
        // Notifications from here on need a catch-up of their own: this one may read before their commit.
        this.pulling = false;
        return seq > this.state.seq ? this.catchUp() : 0;
      })
      .catch((err: unknown) => this.ctx.logger.error('catch-up failed', { account: this.accountId, err: String(err) }));
  }

  /** Forces a snapshot now (used at shutdown and by benchmarks). */
  async snapshot(): Promise<void> {
    await this.mutex.runExclusive(() => this.saveSnapshot());
  }

  private async catchUp(): Promise<number> {
    const commits = await this.ctx.store.readCommits(this.accountId, this.state.seq);
    for (const c of commits) this.apply(c, false);
    return commits.length;
  }

  /** Applies a commit and recompiles exactly the users it touched (everyone when a role changed meaning). */
  private apply(c: Commit, local: boolean): void {
    const touched = new Set<string>();
    const touch = (u: string) => touched.add(u);
    let all = false;
    for (const e of c.events) {
      forEachUserTouched(this.state, e, touch);
      all ||= redefinesRoles(e);
      applyEvent(this.state, e);
    }
    if (all) this.index.rebuildAll();
    else for (const u of touched) this.index.rebuildUser(u);
    this.onApplied({ events: c.events, local });
  }

  private async saveSnapshot(): Promise<void> {
    await this.ctx.store.saveSnapshot(this.accountId, { v: 1, seq: this.state.seq, state: this.state });
    this.lastSnapshotSeq = this.state.seq;
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.state.seq - this.lastSnapshotSeq < this.ctx.snapshotEvery) return;
    try {
      await this.saveSnapshot();
    } catch (err) {
      // The commit is durable already; a missing snapshot only costs replay time.
      this.ctx.logger.warn('snapshot failed', { account: this.accountId, err: String(err) });
    }
  }
}

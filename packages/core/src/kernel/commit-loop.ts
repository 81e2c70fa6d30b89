import { Mutex } from 'async-mutex';
import { AuthzIndex } from '../authz/compiled-index.js';
import { IndexView } from '../authz/view.js';
import type { Clock, IdSource, Logger } from '../context.js';
import { sealEvent } from '../domains/audit/chain.js';
import type { WriteOutcome } from '../errors.js';
import { GatehouseError, StorageConflictError, StoreUnavailableError } from '../errors.js';
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
 * The longest a write waits for the store, queueing behind other writes included (README, "When
 * the store is down"). The stores fail a call to a server that is away within about 3 s; this
 * deadline holds whatever the store does. Past it the caller gets `storage_unavailable`: a write
 * still queued, or still reading, is dropped and never made later (`unchanged`); one whose append
 * was sent may still land (`unknown`), and is then applied like any other commit.
 */
export const WRITE_DEADLINE_MS = 5_000;

/** Rethrows anything but `storage_unavailable`. */
function unlessUnavailable(err: unknown): void {
  if (!(err instanceof GatehouseError && err.code === 'storage_unavailable')) throw err;
}

/** Where one write is, for its deadline. */
interface Attempt<T> {
  /** Its deadline passed: it appends nothing more (an append already sent may still land). */
  dropped: boolean;
  appending: boolean;
  /** Set once its commit is applied (a snapshot may still be written). */
  committed?: { result: T };
}

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
  /** What the last failed background catch-up logged, so a store that stays down is one line, not one per poll. */
  private failing: string | null = null;

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

  /**
   * Decides, appends and applies one command; retried against the new state when another writer
   * won. Answers within WRITE_DEADLINE_MS whatever the store does.
   */
  commit<I, T>(actor: Actor, decide: Decide<I, T>, input: I): Promise<T> {
    const attempt: Attempt<T> = { dropped: false, appending: false };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (attempt.committed) return resolve(attempt.committed.result);
        attempt.dropped = true;
        reject(this.late(attempt.appending ? 'unknown' : 'unchanged'));
      }, WRITE_DEADLINE_MS);
      this.mutex.runExclusive(() => this.commitNow(actor, decide, input, attempt)).then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private async commitNow<I, T>(actor: Actor, decide: Decide<I, T>, input: I, attempt: Attempt<T>): Promise<T> {
    // Its caller was told nothing was changed: keep it so (here and before each append).
    if (attempt.dropped) throw this.late('unchanged');
    // With several processes (Redis, PostgreSQL) another may have written since we last looked. A
    // store that cannot be read is no reason to refuse what changes nothing (answered from memory,
    // like every read); a change is refused by its append, or loses the race and is decided again.
    if (this.ctx.store.kind === 'redis' || this.ctx.store.kind === 'postgres') await this.catchUp().catch(unlessUnavailable);
    for (let n = 0; n < MAX_RETRIES; n++) {
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
      if (attempt.dropped) throw this.late('unchanged');
      attempt.appending = true;
      const appended = await this.ctx.store.tryAppend(this.accountId, commit).finally(() => (attempt.appending = false));
      if (appended) {
        this.apply(commit, true);
        attempt.committed = { result };
        await this.maybeSnapshot();
        return result;
      }
      // Lost the race: read the winner's commit(s) and decide again against the new state.
      await this.catchUp();
    }
    throw new StorageConflictError(this.accountId, MAX_RETRIES);
  }

  private late(outcome: WriteOutcome): StoreUnavailableError {
    return new StoreUnavailableError(this.ctx.store.kind, outcome, `did not answer within ${WRITE_DEADLINE_MS / 1000} s`);
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
   * can tell of new commits (`subscribe`), catches up on each one at once, and when it may have
   * missed some (its connection was lost), at once too; polling is then only a fallback.
   */
  watch(intervalMs: number): void {
    if (this.watchTimer) return;
    this.unsubscribe =
      this.ctx.store.subscribe?.(
        (accountId, seq) => this.notified(accountId, seq),
        () => this.pull(),
      ) ?? null;
    this.watchTimer = setInterval(() => {
      if (this.mutex.isLocked()) return;
      void this.mutex.runExclusive(() => this.catchUp()).then(
        () => this.caughtUp(),
        (err: unknown) => this.catchUpFailed(err),
      );
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
    if (accountId === this.accountId && seq > this.state.seq) this.pull(seq);
  }

  /** Queues a catch-up (one at a time: it reads everything new), skipped if commit `seq` is applied by then. */
  private pull(seq = Number.POSITIVE_INFINITY): void {
    if (this.pulling) return;
    this.pulling = true;
    this.mutex
      .runExclusive(() => {
        // Notifications from here on need a catch-up of their own: this one may read before their commit.
        this.pulling = false;
        return seq > this.state.seq ? this.catchUp() : 0;
      })
      .then(
        () => this.caughtUp(),
        (err: unknown) => this.catchUpFailed(err),
      );
  }

  /** A background catch-up failed: logged once per kind of failure (the store being away counts as one) until one succeeds. */
  private catchUpFailed(err: unknown): void {
    const away = err instanceof StoreUnavailableError;
    const text = err instanceof Error ? err.message : String(err);
    const key = away ? 'storage_unavailable' : text;
    if (this.failing === key) return;
    this.failing = key;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
    if (away) this.ctx.logger.error('cannot reach the store: writes are refused and commits by other instances do not show until it is back', { account: this.accountId, err: text, cause });
    else this.ctx.logger.error('catch-up failed', { account: this.accountId, err: text });
  }

  private caughtUp(): void {
    if (this.failing === null) return;
    this.failing = null;
    this.ctx.logger.info('the store answers again: catching up with other instances', { account: this.accountId });
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

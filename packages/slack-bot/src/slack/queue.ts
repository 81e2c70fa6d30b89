import { ErrorCode } from '@slack/web-api';
import { Mutex, Semaphore } from 'async-mutex';

/**
 * How long Slack asked to wait before the next call, in ms, when `err` is its rate-limited answer
 * (HTTP 429 with Retry-After, which a client made with `rejectRateLimitedCalls` throws as
 * `WebAPIRateLimitedError`); null for any other error.
 */
export function retryAfterMs(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; retryAfter?: unknown };
  if (e.code !== ErrorCode.RateLimitedError || typeof e.retryAfter !== 'number' || !Number.isFinite(e.retryAfter)) return null;
  // Retry-After is whole seconds; a 0 must not become a tight loop.
  return Math.max(e.retryAfter * 1000, MIN_RETRY_MS);
}

const MIN_RETRY_MS = 100;

/** A queued task's way to Slack: each Web API call goes through `call`, which honours Retry-After. */
export interface Slot {
  /**
   * Runs one Web API call of `method` (in `channel`, when it has one). Slack rate-limits per
   * method and channel: a 429 pauses that pair for the Retry-After it gave, and the call is made
   * again then; meanwhile the other calls of that pair wait too, without holding a slot.
   */
  call<T>(method: string, channel: string | null, fn: () => Promise<T>): Promise<T>;
}

export type Task = (slot: Slot) => Promise<void>;

export interface QueueOptions {
  /** Tasks running at once across keys (8). */
  concurrency?: number;
  /** Attempts of one call Slack keeps answering with 429 (20); then it fails like any error. */
  maxAttempts?: number;
  /** Told of each 429 (for the log). */
  onRateLimited?: (method: string, channel: string | null, waitMs: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Per-key serial work queues. Slack calls about one message (post, update, thread replies) run
 * in order, one at a time, so two approvers clicking at once cannot leave the message showing the
 * older state. "Sync" tasks render from the latest state when they run, so a sync still waiting
 * to start makes a second one redundant: it is coalesced. Across keys at most `concurrency`
 * tasks run at once, so a burst of decisions on many messages does not become a burst of Web
 * API calls competing with the acknowledgements of the next clicks.
 *
 * Slack's rate limits (HTTP 429 with Retry-After, per method and channel) delay work, never drop
 * it: the refused call is made again after the time Slack gave, the calls of the same method and
 * channel wait for it, and the key's later tasks wait for their turn as before, so order holds.
 */
export class KeyedQueue {
  private readonly running: Semaphore;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waitingSync = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** `method channel` → until when Slack asked us to wait (ms since the epoch). */
  private readonly pausedUntil = new Map<string, number>();
  /** One call at a time per `method channel` once Slack rate-limited it. */
  private readonly lanes = new Map<string, Mutex>();
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly onError: (err: unknown, key: string) => void,
    private readonly opts: QueueOptions = {},
  ) {
    this.running = new Semaphore(opts.concurrency ?? 8);
    this.maxAttempts = opts.maxAttempts ?? 20;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? sleep;
  }

  /** Appends a task to the key's chain. */
  push(key: string, task: Task): void {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.run(task)).catch((err: unknown) => this.onError(err, key));
    this.tails.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Appends a render-from-latest-state task unless one is already waiting for this key. */
  sync(key: string, task: Task): void {
    if (this.waitingSync.has(key)) return;
    this.waitingSync.add(key);
    this.push(key, (slot) => {
      this.waitingSync.delete(key);
      return task(slot);
    });
  }

  /** Resolves once every queued task (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(task: Task): Promise<void> {
    let [, release] = await this.running.acquire();
    const slot: Slot = {
      call: async <T>(method: string, channel: string | null, fn: () => Promise<T>): Promise<T> => {
        const limit = `${method} ${channel ?? '*'}`;
        let tried = 0;
        if (!this.pausedUntil.has(limit)) {
          tried = 1;
          try {
            return await fn();
          } catch (err) {
            const ms = retryAfterMs(err);
            if (ms === null) throw err;
            this.pause(limit, ms);
            this.opts.onRateLimited?.(method, channel, ms);
          }
        }
        // Rate-limited lately: the calls of this method and channel go one at a time, each after
        // the pause Slack asked for. Retrying them all at once when a pause ends would have all
        // but one refused again, round after round, until some gave up: a burst would lose work.
        release();
        const unlock = await this.laneOf(limit).acquire();
        [, release] = await this.running.acquire();
        try {
          for (let attempt = tried + 1; ; attempt++) {
            const wait = (this.pausedUntil.get(limit) ?? 0) - this.now();
            if (wait > 0) {
              release();
              await this.sleep(wait);
              [, release] = await this.running.acquire();
            }
            try {
              return await fn();
            } catch (err) {
              const ms = retryAfterMs(err);
              if (ms === null || attempt >= this.maxAttempts) throw err;
              this.pause(limit, ms);
              this.opts.onRateLimited?.(method, channel, ms);
            }
          }
        } finally {
          unlock();
        }
      },
    };
    try {
      await task(slot);
    } finally {
      release();
    }
  }

  private laneOf(limit: string): Mutex {
    let lane = this.lanes.get(limit);
    if (!lane) this.lanes.set(limit, (lane = new Mutex()));
    return lane;
  }

  private pause(limit: string, ms: number): void {
    const t = this.now();
    this.pausedUntil.set(limit, Math.max(this.pausedUntil.get(limit) ?? 0, t + ms));
    // Bounded: pauses that are over are forgotten once there are many.
    if (this.pausedUntil.size > 1000) {
      for (const [k, until] of this.pausedUntil) {
        if (until > t || this.lanes.get(k)?.isLocked()) continue;
        this.pausedUntil.delete(k);
        this.lanes.delete(k);
      }
    }
  }
}

/** Sets `key` as the most recent entry of `map`, dropping the oldest past `max` (a bounded, least-recently-set cache). */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * Remembers ids for a while (bounded), to recognise a request seen before: a Slack retry of an
 * interaction carries the same trigger_id, an Events API retry the same event_id.
 */
export class SeenSet {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 15 * 60_000,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `id` was already seen (and still remembered); records it otherwise. */
  check(id: string): boolean {
    const t = this.now();
    const at = this.seen.get(id);
    if (at !== undefined && t - at < this.ttlMs) return true;
    this.seen.set(id, t);
    if (this.seen.size > this.max) {
      for (const [k, v] of this.seen) {
        if (this.seen.size <= this.max && t - v < this.ttlMs) break;
        this.seen.delete(k);
      }
    }
    return false;
  }
}

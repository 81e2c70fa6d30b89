import { Semaphore } from 'async-mutex';

/**
 * Per-key serial work queues. Slack calls about one message (post, update, thread replies) run
 * in order, one at a time, so two approvers clicking at once cannot leave the message showing the
 * older state. "Sync" tasks render from the latest state when they run, so a sync still waiting
 * to start makes a second one redundant: it is coalesced. Across keys at most `concurrency`
 * tasks run at once, so a burst of decisions on many messages does not become a burst of Web
 * API calls competing with the acknowledgements of the next clicks.
 */
export class KeyedQueue {
  private readonly running: Semaphore;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waitingSync = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly onError: (err: unknown, key: string) => void,
    concurrency = 8,
  ) {
    this.running = new Semaphore(concurrency);
  }

  /** Appends a task to the key's chain. */
  push(key: string, task: () => Promise<void>): void {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.running.runExclusive(task)).catch((err: unknown) => this.onError(err, key));
    this.tails.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Appends a render-from-latest-state task unless one is already waiting for this key. */
  sync(key: string, task: () => Promise<void>): void {
    if (this.waitingSync.has(key)) return;
    this.waitingSync.add(key);
    this.push(key, () => {
      this.waitingSync.delete(key);
      return task();
    });
  }

  /** Resolves once every queued task (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
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

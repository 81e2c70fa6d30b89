import type { Disposable } from './event.js';

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Calls `tick` every N seconds while enabled; 0 (or less) turns it off. Reconfigure at any time. */
export class AutoRefresh implements Disposable {
  private handle: unknown = null;
  private seconds = 0;

  constructor(
    private readonly tick: () => void,
    private readonly timers: Timers = realTimers,
  ) {}

  get intervalSeconds(): number {
    return this.handle === null ? 0 : this.seconds;
  }

  configure(seconds: number, enabled: boolean): void {
    const want = enabled && Number.isFinite(seconds) && seconds > 0 ? Math.max(5, seconds) : 0;
    if (want === this.intervalSeconds) return;
    this.stop();
    this.seconds = want;
    if (want > 0) this.handle = this.timers.setInterval(this.tick, want * 1000);
  }

  dispose(): void {
    this.stop();
  }

  private stop(): void {
    if (this.handle !== null) this.timers.clearInterval(this.handle);
    this.handle = null;
  }
}

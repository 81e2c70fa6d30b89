/** What every part gets: the mode and a progress line writer (stderr, so stdout stays markdown). */
export interface BenchOptions {
  readonly quick: boolean;
  readonly log: (msg: string) => void;
  /** Authorisation sizes (users) instead of the defaults (1k, 10k, 100k; quick: 1k). */
  readonly users?: readonly number[];
}

/** One markdown table of the report, with the notes printed under it. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes: readonly string[];
}

/** Nanoseconds from a monotonic clock, as a number (exact below 2^53 ns ≈ 104 days). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Milliseconds an async step takes. */
export async function timeMs<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = nowNs();
  const value = await fn();
  return { ms: (nowNs() - t0) / 1e6, value };
}

/** Whether `node --expose-gc` gave us a collector: heap numbers are only meaningful with one. */
export const canGc = (): boolean => typeof globalThis.gc === 'function';

/** Live heap (V8 heap plus ArrayBuffers) after a full collection. */
export function liveHeap(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Lets timers and I/O run (a long synchronous stretch would starve them). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

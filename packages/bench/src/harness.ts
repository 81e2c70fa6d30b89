import type { ChildProcess } from 'node:child_process';

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

/** The next IPC message of this `type` from a child; rejects when the child exits first or after `timeoutMs`. */
export function nextMessage<M extends { type: string }>(child: ChildProcess, type: M['type'], timeoutMs = 120_000): Promise<M> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m: M) => {
      if (m.type !== type) return;
      done();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`bench: a child process exited (${String(code)}) before sending ${type}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`bench: no ${type} from a child process within ${String(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `request` to a child and resolves with its reply of the same type. */
export function ask<M extends { type: string }>(child: ChildProcess, request: { type: M['type'] }, timeoutMs?: number): Promise<M> {
  const reply = nextMessage<M>(child, request.type, timeoutMs);
  child.send(request);
  return reply;
}

/** A pause. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks `probe` every 20 ms until it says yes (true) or `deadline` (Date.now()) passes (false). */
export async function waitUntil(probe: () => Promise<boolean> | boolean, deadline: number): Promise<boolean> {
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

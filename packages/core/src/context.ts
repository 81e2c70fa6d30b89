import { randomBytes } from 'node:crypto';

/** Where time comes from; tests pass a fake. */
export interface Clock {
  now(): number;
}

/** Where new ids come from. */
export interface IdSource {
  next(prefix: string): string;
}

export interface Logger {
  info(msg: string, facts?: Record<string, unknown>): void;
  warn(msg: string, facts?: Record<string, unknown>): void;
  error(msg: string, facts?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Random, URL-safe ids: `<prefix>_<16 base32-ish chars>`. */
export const randomIds: IdSource = {
  next: (prefix) => `${prefix}_${randomBytes(10).toString('base64url').replace(/[-_]/g, 'x')}`,
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export const consoleLogger: Logger = {
  info: (msg, facts) => console.log(JSON.stringify({ level: 'info', msg, ...facts })),
  warn: (msg, facts) => console.warn(JSON.stringify({ level: 'warn', msg, ...facts })),
  error: (msg, facts) => console.error(JSON.stringify({ level: 'error', msg, ...facts })),
};

/** A clock tests can move. */
export class FakeClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}

/** Deterministic ids for tests. */
export class SequentialIds implements IdSource {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}_${++this.n}`;
  }
}

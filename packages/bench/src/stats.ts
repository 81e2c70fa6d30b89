/** Sorted copy. */
function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** The q-quantile (0..1) by linear interpolation; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  return quantileSorted(sorted(xs), q);
}

/** Quantile of an already sorted list (no copy: latency samples can be large). */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] ?? Number.NaN;
  const b = s[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Median of several passes with their spread. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

// ---------------------------------------------------------------- formatting

function sig(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** 12.3M, 45.6k, 789 */
export function fmtCount(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1e9) return `${sig(x / 1e9)}G`;
  if (x >= 1e6) return `${sig(x / 1e6)}M`;
  if (x >= 1e3) return `${sig(x / 1e3)}k`;
  return sig(x);
}

/** A duration given in nanoseconds, in the unit that reads best. */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 1e9) return `${sig(ns / 1e9)} s`;
  if (ns >= 1e6) return `${sig(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${sig(ns / 1e3)} µs`;
  return `${sig(ns)} ns`;
}

export const fmtMs = (ms: number): string => fmtNs(ms * 1e6);

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '—';
  const a = Math.abs(b);
  if (a >= 1024 ** 3) return `${sig(b / 1024 ** 3)} GB`;
  if (a >= 1024 ** 2) return `${sig(b / 1024 ** 2)} MB`;
  if (a >= 1024) return `${sig(b / 1024)} kB`;
  return `${b.toFixed(0)} B`;
}

/** `median (min–max)`, or just the value for a single pass. */
export function fmtSummary(s: Summary, fmt: (x: number) => string): string {
  if (s.n <= 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function fmtPct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—';
}

/** A GitHub-flavoured markdown table. */
export function markdownTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map(line)].join('\n');
}

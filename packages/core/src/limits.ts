import type { z } from 'zod';

/**
 * Limits in words people read: what a refused input was allowed to be (`at most 80 characters`,
 * `at most 30 days`), never zod's `Too big: expected string to have <=80 characters`. Zod only,
 * like the schemas: the REST contract and the extension use it too.
 */

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
] as const;

/** `1 item`, `2 items`, `10,000 characters`. */
function count(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** A duration in words: `30 days`, `8 hours`, `1 day 12 hours`, `1 minute` (whole minutes; seconds below one). */
export function durationWords(ms: number): string {
  if (ms < 60_000) return count(Math.max(0, Math.ceil(ms / 1000)), 'second');
  let rest = Math.round(ms / 60_000) * 60_000;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(count(n, unit));
    rest -= n * size;
  }
  return parts.join(' ');
}

/**
 * Zod's error map for the limits a schema states without words of its own: `.max(1000)` on a
 * string reads `at most 1,000 characters`. A schema's own message wins (zod asks the map only
 * for issues without one). Other issues keep zod's message.
 */
export const limitMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return undefined;
  const big = issue.code === 'too_big';
  const bound = Number(big ? issue.maximum : issue.minimum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      if (!big && bound === 1) return 'must not be empty';
      return `at ${big ? 'most' : 'least'} ${count(inclusive ? bound : bound + (big ? -1 : 1), 'character')}`;
    case 'array':
    case 'set':
      if (!big && bound === 1) return 'give at least one';
      return `at ${big ? 'most' : 'least'} ${count(inclusive ? bound : bound + (big ? -1 : 1), 'item')}`;
    case 'number':
    case 'int':
    case 'bigint':
      return inclusive ? `at ${big ? 'most' : 'least'} ${bound.toLocaleString('en-US')}` : `${big ? 'less' : 'more'} than ${bound.toLocaleString('en-US')}`;
    default:
      return undefined;
  }
};

import { z } from 'zod';

const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const Text = z
  .string()
  .max(32, { error: 'a duration is at most 32 characters, like 30m, 4h, 3d, 1w or 1d12h', abort: true })
  .regex(/^(\d+[mhdw])+$/, 'write a duration like 30m, 4h, 3d or 1w (minutes, hours, days, weeks)')
  .transform((text) => [...text.matchAll(/(\d+)([mhdw])/g)].reduce((ms, m) => ms + Number(m[1]) * (UNIT[m[2] ?? 'm'] ?? 0), 0));

/**
 * `90m`, `4h`, `3d`, `1w`, `1d12h` → milliseconds: how durations read in a configuration file.
 * A number is taken as milliseconds already (a document parsed once is parsed again unchanged).
 */
export const DurationText = z
  .union([Text, z.number().int()])
  .refine((ms) => ms >= 60_000 && ms <= 366 * 86_400_000, 'a duration is between one minute and a year');

/** The shortest text for a whole number of minutes. */
export function durationText(ms: number): string {
  let rest = Math.round(ms / 60_000);
  let out = '';
  for (const [u, size] of [['w', 10_080], ['d', 1440], ['h', 60], ['m', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${u}`;
    rest -= n * size;
  }
  return out || '0m';
}

/**
 * Parsing of slash-command text: words, quoted phrases, user mentions and durations.
 * Pure functions; the command handlers turn their results into core calls.
 */

/**
 * One token of command text. Slack sends mentions as `<@U123|name>` (or `<@U123>`) and channels
 * as `<#C123|name>` (or `<#C123>`).
 */
export type Token = { kind: 'word'; text: string } | { kind: 'user'; id: string; name: string | null } | { kind: 'channel'; id: string; name: string | null };

const MENTION = /^<@([A-Z0-9][A-Z0-9_]*)(?:\|([^>]*))?>$/i;
const CHANNEL = /^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$/i;

/** Splits text on whitespace, keeping "quoted phrases" (straight or curly quotes) together. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Linear in the text: a phrase ends at the next closing quote (indexOf), and once there is none
  // left, later opening quotes are words at once (a regex would scan to the end for each of them).
  const noClose = new Set<string>();
  const WORD = /\S+/y;
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const close = c === '"' ? '"' : c === '“' ? '”' : null;
    const end = close === null || noClose.has(close) ? -1 : text.indexOf(close, i + 1);
    if (close !== null && end < 0) noClose.add(close);
    if (end >= 0) {
      out.push({ kind: 'word', text: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    WORD.lastIndex = i;
    const raw = WORD.exec(text)?.[0] ?? c;
    i += raw.length;
    const mention = MENTION.exec(raw);
    const channel = CHANNEL.exec(raw);
    if (mention?.[1]) out.push({ kind: 'user', id: mention[1], name: mention[2] || null });
    else if (channel?.[1]) out.push({ kind: 'channel', id: channel[1], name: channel[2] || null });
    else out.push({ kind: 'word', text: raw });
  }
  return out;
}

/** The text of a word token, or null for a mention, a channel or past the end. */
export function wordAt(tokens: readonly Token[], i: number): string | null {
  const t = tokens[i];
  return t?.kind === 'word' ? t.text : null;
}

/** Index of the first word equal to `word` (case-insensitive) at or after `from`, or -1. */
export function indexOfWord(tokens: readonly Token[], word: string, from = 0): number {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind === 'word' && t.text.toLowerCase() === word) return i;
  }
  return -1;
}

/** Joins word tokens back into text (mentions as `<@U…>`, channels as `<#C…>`). */
export function joinTokens(tokens: readonly Token[]): string {
  return tokens.map((t) => (t.kind === 'word' ? t.text : t.kind === 'user' ? `<@${t.id}>` : `<#${t.id}>`)).join(' ');
}

const MINUTE = 60_000;
const UNITS: Record<string, number> = {
  s: MINUTE / 60,
  sec: MINUTE / 60,
  secs: MINUTE / 60,
  second: MINUTE / 60,
  seconds: MINUTE / 60,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: 60 * MINUTE,
  hr: 60 * MINUTE,
  hrs: 60 * MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  d: 1440 * MINUTE,
  day: 1440 * MINUTE,
  days: 1440 * MINUTE,
  w: 10_080 * MINUTE,
  wk: 10_080 * MINUTE,
  week: 10_080 * MINUTE,
  weeks: 10_080 * MINUTE,
};

/**
 * Parses `8h`, `2d`, `30m`, `1w`, `1d12h`, `2 days`. Bare numbers are refused (minutes? hours?),
 * so a typo never becomes a surprising expiry. Returns milliseconds or null.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+[a-z]+)+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([a-z]+)/g)) {
    const name = m[2] ?? '';
    const unit = Object.hasOwn(UNITS, name) ? UNITS[name] : undefined;
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
  }
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** `1d 12h`, `8h`, `30m`: the inverse of parseDuration for display. */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms < MINUTE) return `${Math.ceil(ms / 1000)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / MINUTE);
  for (const [unit, size] of [
    ['w', 10_080],
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ') || '0m';
}

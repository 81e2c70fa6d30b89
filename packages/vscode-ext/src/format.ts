import type { ApprovalType } from './api-client.js';

/** How approval types are named in the UI. */
export const APPROVAL_TYPE_LABELS: Readonly<Record<ApprovalType, string>> = {
  qa: 'QA',
  security: 'Security',
  compliance: 'Compliance',
  product: 'Product',
  operational: 'Operational',
  release: 'Release',
};

/** "45 min", "5 h", "3 days": coarse on purpose, the tooltip has the exact time. */
export function formatDuration(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/** "expires in 3 days", or "expired" for a grant the server has not swept yet. */
export function formatExpiry(expiresAt: number, now: number): string {
  return expiresAt <= now ? 'expired' : `expires in ${formatDuration(expiresAt - now)}`;
}

/** UTC, minute precision: the same on every machine, so tests and screenshots agree. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "12 Dec" (UTC, like formatTime), with the year when it is not the year of `now`. */
export function formatDay(at: number, now: number): string {
  const d = new Date(at);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return d.getUTCFullYear() === new Date(now).getUTCFullYear() ? day : `${day} ${d.getUTCFullYear()}`;
}

/** "10:42" in local time, for "updated at" notes. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Someone named by the server (`people` of a pending approval). */
export interface Person {
  readonly id: string;
  readonly name: string;
  readonly serviceAccount?: boolean | undefined;
}

/**
 * A user by name, "CI pipeline (service account)" for one that is not a person (as the Slack side
 * says it); the id only when the server named nobody (an older server).
 */
export function personName(people: readonly Person[] | undefined, id: string, fallback = id): string {
  const p = people?.find((x) => x.id === id);
  const name = p?.name || fallback;
  return p?.serviceAccount && !/service account/i.test(name) ? `${name} (service account)` : name;
}

/** Names a list of user ids: "Quinn (QA), Sec (Security)". */
export function peopleNames(people: readonly Person[] | undefined, ids: readonly string[]): string {
  return ids.map((id) => personName(people, id)).join(', ');
}

/** True when `name` already says `word` (any letter case, as a word or its start: "Prod EU" says "prod"). */
export function says(name: string, word: string): boolean {
  return new RegExp(`\\b${word}`, 'i').test(name);
}

/**
 * "Release manager (rel-mgr)": a name with its id after it, the id left out when it only repeats
 * the name ("Payments" / `payments`, "Release Manager" / `release_manager`).
 */
export function nameAndId(name: string, id: string): string {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return key(name) === key(id) ? name : `${name} (${id})`;
}

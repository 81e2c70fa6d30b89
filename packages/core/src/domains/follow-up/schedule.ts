import type { EventBody } from '../../events/schema.js';
import { versionIdOf } from '../../events/meaning.js';
import { own } from '../../own.js';
import type { AccountState } from '../../schemas.js';
import { evaluateIn } from '../approvals/evaluate.js';
import { followUpDue, isWaiting } from './policy.js';

const DAY = 86_400_000;
/** Access requests nobody decides expire after this long unless the account says otherwise. */
export const DEFAULT_REQUEST_TTL_MS = 7 * DAY;

type Entry = { readonly at: number; readonly key: string };

/** Whether entry `e` sorts before (at, key): by time, then key. */
const before = (e: Entry, at: number, key: string) => e.at < at || (e.at === at && e.key < key);

/** Where (at, key) is or would go in a sorted run: binary search. */
function position(run: readonly Entry[], at: number, key: string): number {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(run[mid] as Entry, at, key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A chunk holds at most twice this many entries; one below a quarter of it merges with its neighbour. */
const CHUNK = 256;

/**
 * When each waiting thing next falls due — a version in an environment (`v|<version>|<env>`) or an
 * access request (`r|<request>`) — kept sorted by time. Derived from the state (never stored), built
 * on the first tick and then kept in step event by event, so a tick reads only what is due: the work
 * is proportional to the due items, not to everything pending.
 *
 * The sorted entries are kept in chunks of at most 2 × CHUNK: moving an item (each reminder moves
 * one from the front to later) shifts one chunk, not every entry pending — one sorted array made a
 * tick with 100 reminders among 10,000 pending shift a million slots.
 */
export class ScheduleIndex {
  private readonly at = new Map<string, number>();
  /** Non-empty sorted runs, each sorting before the next. */
  private chunks: Entry[][] = [];

  get size(): number {
    return this.at.size;
  }

  set(key: string, at: number | null): void {
    const old = this.at.get(key);
    if (old === at) return;
    if (old !== undefined) {
      this.remove(old, key);
      this.at.delete(key);
    }
    if (at === null) return;
    this.insert(at, key);
    this.at.set(key, at);
  }

  /** Keys due at `now`, earliest first, at most `limit`. */
  due(now: number, limit: number): string[] {
    const out: string[] = [];
    for (const chunk of this.chunks) {
      for (const e of chunk) {
        if (e.at > now || out.length >= limit) return out;
        out.push(e.key);
      }
    }
    return out;
  }

  /** The next time something falls due, or null. */
  next(): number | null {
    return this.chunks[0]?.[0]?.at ?? null;
  }

  /** The chunk (at, key) is in or belongs to: the first whose last entry does not sort before it, else the last. */
  private chunkFor(at: number, key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as Entry[];
      if (before(chunk[chunk.length - 1] as Entry, at, key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(at: number, key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([{ at, key }]);
      return;
    }
    const c = this.chunkFor(at, key);
    const chunk = this.chunks[c] as Entry[];
    chunk.splice(position(chunk, at, key), 0, { at, key });
    if (chunk.length > 2 * CHUNK) this.chunks.splice(c, 1, chunk.slice(0, CHUNK), chunk.slice(CHUNK));
  }

  private remove(at: number, key: string): void {
    const c = this.chunkFor(at, key);
    const chunk = this.chunks[c] as Entry[];
    chunk.splice(position(chunk, at, key), 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    else if (chunk.length < CHUNK / 4) this.mergeSmall(c);
  }

  /** Joins a small chunk to a neighbour when both fit in one, so many removals do not leave many tiny chunks. */
  private mergeSmall(c: number): void {
    const chunk = this.chunks[c] as Entry[];
    const nextChunk = this.chunks[c + 1];
    if (nextChunk && chunk.length + nextChunk.length <= 2 * CHUNK) {
      this.chunks.splice(c, 2, chunk.concat(nextChunk));
      return;
    }
    const prevChunk = this.chunks[c - 1];
    if (prevChunk && prevChunk.length + chunk.length <= 2 * CHUNK) this.chunks.splice(c - 1, 2, prevChunk.concat(chunk));
  }
}

const cache = new WeakMap<AccountState, ScheduleIndex>();

const versionKey = (versionId: string, env: string) => `v|${versionId}|${env}`;
const requestKey = (requestId: string) => `r|${requestId}`;

/** The next follow-up of one version in one environment, or null when nothing waits for anyone. */
function versionDue(s: AccountState, versionId: string, env: string): number | null {
  const v = own(s.versions, versionId);
  if (!v || !isWaiting(s, v, env)) return null;
  let e;
  try {
    e = evaluateIn(s, versionId, env);
  } catch {
    return null;
  }
  if (e.ready || e.requirements.some((r) => r.rejectedBy.length) || (e.release?.rejectedBy.length ?? 0) > 0) return null;
  const due = followUpDue(s, v, env);
  return due.length ? Math.min(...due.map((d) => d.at)) : null;
}

function requestDue(s: AccountState, requestId: string): number | null {
  const r = own(s.requests, requestId);
  return r && r.status === 'pending' ? r.createdAt + (s.settings.accessRequestTtlMs ?? DEFAULT_REQUEST_TTL_MS) : null;
}

function refreshVersion(s: AccountState, index: ScheduleIndex, versionId: string): void {
  const v = own(s.versions, versionId);
  for (const env of v?.requestedFor ?? []) index.set(versionKey(versionId, env), versionDue(s, versionId, env));
}

/** The schedule of an account's state, built on first use. */
export function scheduleOf(s: AccountState): ScheduleIndex {
  let index = cache.get(s);
  if (!index) {
    index = new ScheduleIndex();
    for (const v of Object.values(s.versions)) if (v.requestedFor.length) refreshVersion(s, index, v.id);
    for (const r of Object.values(s.requests)) if (r.status === 'pending') index.set(requestKey(r.id), requestDue(s, r.id));
    cache.set(s, index);
  }
  return index;
}

/** Keeps a built schedule in step with an event, after the event was applied. */
export function updateSchedule(s: AccountState, e: EventBody): void {
  const index = cache.get(s);
  if (!index) return;
  // Rules, settings and releases change what is due for many versions at once: rebuild on next use.
  if (e.type.startsWith('rule.') || e.type === 'account.settings_changed' || e.type.startsWith('release.')) {
    cache.delete(s);
    return;
  }
  const versionId = versionIdOf(e);
  if (versionId) refreshVersion(s, index, versionId);
  if (e.type === 'access_request.created') index.set(requestKey(e.data.request.id), requestDue(s, e.data.request.id));
  if (e.type === 'access_request.approved' || e.type === 'access_request.denied' || e.type === 'access_request.expired') index.set(requestKey(e.data.requestId), null);
}

export const parseScheduleKey = (key: string): { kind: 'version'; versionId: string; environmentId: string } | { kind: 'request'; requestId: string } => {
  const [tag, a = '', b = ''] = key.split('|');
  return tag === 'r' ? { kind: 'request', requestId: a } : { kind: 'version', versionId: a, environmentId: b };
};

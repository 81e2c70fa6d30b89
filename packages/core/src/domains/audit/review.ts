import type * as C from '../../commands.js';
import type { AuditEvent } from '../../events/schema.js';
import type { AccountState, Grant } from '../../schemas.js';
import { activeAdmins } from '../../state/derived.js';
import type { Permission } from '../../authz/permissions.js';

const DAY = 86_400_000;

export interface AccessReview {
  admins: string[];
  singleAdmin: boolean;
  inactiveUsers: { userId: string; lastSeen: number | null }[];
  expiringGrants: Grant[];
  unusedKeys: { keyId: string; ownerId: string; name: string; lastUsedAt: number | null }[];
  keysExceedingOwner: { keyId: string; ownerId: string; name: string; excess: string[] }[];
}

export interface ReviewOptions {
  inactiveDays?: number;
  expiringDays?: number;
  unusedKeyDays?: number;
}

/** What the review reads besides the state: when each user and key was last seen. */
export interface Activity {
  readonly now: number;
  readonly userSeen: ReadonlyMap<string, number>;
  readonly keyLastUsed: ReadonlyMap<string, number>;
  /** The owner's live permission, to compare a key's frozen snapshot with. */
  readonly can: (userId: string, permission: Permission, teamId: string | null) => boolean;
}

/** Events of the trail matching a query, the newest `limit` of them. */
export function filterTrail(events: readonly AuditEvent[], q: C.Parsed<typeof C.AuditQueryInput>): AuditEvent[] {
  const matches = events.filter(
    (e) =>
      (q.since === undefined || e.at >= q.since) &&
      (q.types === undefined || q.types.includes(e.type)) &&
      (q.userId === undefined || e.actor === q.userId || JSON.stringify(e.data).includes(`"${q.userId}"`)),
  );
  return matches.slice(-q.limit);
}

function keysExceedingOwner(s: AccountState, can: Activity['can']): AccessReview['keysExceedingOwner'] {
  return Object.values(s.keys)
    .filter((k) => k.revokedAt === null && k.snapshot !== null)
    .map((k) => {
      const snap = k.snapshot ?? { global: [], teams: {} };
      const excess = new Set<string>();
      for (const p of snap.global) if (!can(k.ownerId, p, null)) excess.add(p);
      for (const [t, perms] of Object.entries(snap.teams)) for (const p of perms) if (!can(k.ownerId, p, t)) excess.add(`${p}@${t}`);
      return { keyId: k.id, ownerId: k.ownerId, name: k.name, excess: [...excess].sort() };
    })
    .filter((k) => k.excess.length > 0);
}

/** SPEC §7 access review: Admins, inactive users, expiring grants, unused keys, keys exceeding their owner. */
export function accessReview(s: AccountState, activity: Activity, opts: ReviewOptions = {}): AccessReview {
  const { now, userSeen, keyLastUsed } = activity;
  const inactiveSince = now - (opts.inactiveDays ?? 90) * DAY;
  const admins = activeAdmins(s);
  return {
    admins,
    singleAdmin: admins.length === 1,
    inactiveUsers: Object.values(s.users)
      .filter((u) => u.active && (userSeen.get(u.id) ?? u.createdAt) < inactiveSince)
      .map((u) => ({ userId: u.id, lastSeen: userSeen.get(u.id) ?? null })),
    expiringGrants: Object.values(s.grants).filter((g) => g.expiresAt !== null && g.expiresAt > now && g.expiresAt <= now + (opts.expiringDays ?? 7) * DAY),
    unusedKeys: Object.values(s.keys)
      .filter((k) => k.revokedAt === null && (keyLastUsed.get(k.id) ?? k.createdAt) < now - (opts.unusedKeyDays ?? 90) * DAY)
      .map((k) => ({ keyId: k.id, ownerId: k.ownerId, name: k.name, lastUsedAt: keyLastUsed.get(k.id) ?? null })),
    keysExceedingOwner: keysExceedingOwner(s, activity.can),
  };
}

import { z } from 'zod';
import type { AuditEvent } from '../events/schema.js';
import type { ApiKey } from '../schemas.js';
import type { LogStore } from '../store/log-store.js';

const TimeOnly = z.number().int().nonnegative();

/**
 * When users and keys were last seen: kept in memory, and for keys beside the log (at most one
 * write a minute per key), for the access review. Not part of the log: using a key is not a change.
 */
export class ActivityTracker {
  private readonly keyUse = new Map<string, number>();
  private readonly userSeen = new Map<string, number>();

  constructor(
    private readonly accountId: string,
    private readonly store: LogStore,
  ) {}

  lastUsed(keyId: string): number | null {
    return this.keyUse.get(keyId) ?? null;
  }

  async touchKey(keyId: string, ownerId: string | null, now: number): Promise<void> {
    const last = this.keyUse.get(keyId) ?? 0;
    this.keyUse.set(keyId, now);
    if (ownerId) this.userSeen.set(ownerId, now);
    if (now - last >= 60_000) await this.store.setMeta(this.metaKey(keyId), now);
  }

  touchUser(userId: string, now: number): void {
    this.userSeen.set(userId, now);
  }

  /** Last activity per user (events they made, Slack use, their keys) and per key. */
  async collect(events: readonly AuditEvent[], keys: readonly ApiKey[]): Promise<{ userSeen: Map<string, number>; keyLastUsed: Map<string, number> }> {
    const userSeen = new Map<string, number>();
    const seen = (u: string, t: number) => userSeen.set(u, Math.max(userSeen.get(u) ?? 0, t));
    for (const e of events) seen(e.actor, e.at);
    for (const [u, t] of this.userSeen) seen(u, t);
    const keyLastUsed = new Map<string, number>();
    for (const k of keys) {
      const t = Math.max(this.keyUse.get(k.id) ?? 0, (await this.store.getMeta(this.metaKey(k.id), TimeOnly)) ?? 0);
      if (t) {
        keyLastUsed.set(k.id, t);
        seen(k.ownerId, t);
      }
    }
    return { userSeen, keyLastUsed };
  }

  private metaKey(keyId: string): string {
    return `a:${this.accountId}:keyuse:${keyId}`;
  }
}

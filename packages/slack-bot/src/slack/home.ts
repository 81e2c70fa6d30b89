import type { Account, CommitNotice, Logger } from '@gatehouse/core';
import { APPROVAL_TYPES, own, redefinesRoles, roleChangesOf, versionIdOf } from '@gatehouse/core';
import type { WebClient } from '@slack/web-api';
import { meOf } from '../rest/me.js';
import { rejectedIn } from './blocks/approval.js';
import type { HomeFacts, OwnVersion, WaitingItem } from './blocks/home.js';
import { homeView, noAccountHome } from './blocks/home.js';
import { namesOf } from './context.js';
import type { KeyedQueue, Slot } from './queue.js';
import { remember } from './queue.js';

const DAY = 86_400_000;

/**
 * The versions waiting for approvals `userId` can give, one item per version (the core lists one
 * per environment; a decision counts for all of them), overdue first, then the oldest. Rejected
 * versions are left out, as their card shows no buttons.
 */
export function waitingFor(account: Account, userId: string): WaitingItem[] {
  const byVersion = new Map<string, WaitingItem>();
  const pending = account.pendingApprovals(userId);
  // Like its card, a rejected version waits for nobody until the rejection is withdrawn.
  const out = new Set(pending.filter((p) => rejectedIn(p.evaluation)).map((p) => p.version.id));
  for (const p of pending) {
    if (out.has(p.version.id)) continue;
    const seen = byVersion.get(p.version.id);
    if (!seen) {
      byVersion.set(p.version.id, { version: p.version, product: p.product, environmentIds: [p.environmentId], canGive: [...p.canGive], onBehalfOf: [...p.onBehalfOf], followUp: { ...p.followUp }, missing: [...p.evaluation.missing] });
      continue;
    }
    const add = <T>(list: T[], items: readonly T[]) => list.push(...items.filter((x) => !list.includes(x)));
    seen.environmentIds.push(p.environmentId);
    add(seen.canGive, p.canGive);
    add(seen.onBehalfOf, p.onBehalfOf);
    add(seen.missing, p.evaluation.missing);
    const f = seen.followUp;
    const dues = [f.dueAt, p.followUp.dueAt].filter((d): d is number => d !== null);
    seen.followUp = {
      requestedAt: Math.min(f.requestedAt, p.followUp.requestedAt),
      dueAt: dues.length ? Math.min(...dues) : null,
      overdue: f.overdue || p.followUp.overdue,
      reminders: Math.max(f.reminders, p.followUp.reminders),
      escalated: f.escalated || p.followUp.escalated,
    };
  }
  const items = [...byVersion.values()];
  for (const w of items) w.canGive.sort((a, b) => APPROVAL_TYPES.indexOf(a) - APPROVAL_TYPES.indexOf(b));
  return items;
}

/** The versions `userId` created whose approval was requested and is not complete, oldest first. */
function ownVersions(account: Account, userId: string): OwnVersion[] {
  const s = account.view;
  return Object.values(s.versions)
    .filter((v) => v.createdBy === userId && v.requestedFor.length > 0 && !(v.releaseId && own(s.releases, v.releaseId)?.archived))
    .sort((a, b) => a.createdAt - b.createdAt)
    .flatMap((version) => {
      const product = own(s.products, version.productId);
      const waiting = version.requestedFor
        .map((environmentId) => account.evaluate({ versionId: version.id, environmentId }))
        .filter((e) => !e.ready)
        .map((e) => ({ environmentId: e.environmentId, missing: e.missing }));
      return product && waiting.length ? [{ version, product, waiting }] : [];
    });
}

/** What the Home of `userId` shows, from the account's current state. */
export function homeFacts(account: Account, userId: string, now: number): HomeFacts {
  return {
    userId,
    now,
    waiting: waitingFor(account, userId),
    requests: account.pendingAccessRequests().filter((r) => r.userId === userId),
    versions: ownVersions(account, userId),
    scopes: meOf(account, userId, { userId }).scopes,
    delegations: account.delegationsOf(userId),
    expiring: account.roles(userId).filter((a) => a.expiresAt !== null && a.expiresAt <= now + 7 * DAY),
  };
}

export interface HomeDeps {
  /** The notifier's client (429s thrown, see `notifierClient`). */
  client: WebClient;
  /** The notifier's queue: publishing waits its turn and honours Retry-After like every other call. */
  queue: KeyedQueue;
  cmd: string;
  now: () => number;
  logger: Logger;
}

/** How many users' Homes an instance keeps publishing (the least recently opened are forgotten first). */
const HOMES_MAX = 10_000;

/**
 * Publishes the App Home (views.publish) when a user opens it, and again when a commit changes
 * something of theirs: an approval they can give requested or decided, their own requests and
 * versions, their roles, their delegations. Only for users who opened the Home (or clicked in it)
 * on this instance, remembered in memory (bounded); after a restart the next open publishes it.
 * Replayed commits (written by another instance) count too: publishing is idempotent, and each
 * instance only publishes for the users it remembers.
 */
export class HomePublisher {
  /** `account/user` → the versions their Home listed as waiting, last time it was published. */
  private readonly homes = new Map<string, ReadonlySet<string>>();

  constructor(private readonly deps: HomeDeps) {}

  /** The user opened the Home (or clicked in it): remember them and publish it. */
  opened(account: Account, userId: string): void {
    const key = `${account.id}/${userId}`;
    remember(this.homes, key, this.homes.get(key) ?? new Set(), HOMES_MAX);
    this.publish(account, userId);
  }

  /** The user opened the Home in a workspace served from no account here (not served, or none yet): it says so (`text`). */
  refused(workspaceId: string, userId: string, text: string): void {
    this.deps.queue.sync(`h:${workspaceId}/${userId}`, (slot) => this.send(slot, userId, noAccountHome(text)));
  }

  /** Re-publishes the Home of each user the commit concerns, among those who opened it. */
  onCommit(notice: CommitNotice, account: Account): void {
    if (this.homes.size === 0) return;
    for (const userId of this.concerned(notice, account)) if (this.homes.has(`${account.id}/${userId}`)) this.publish(account, userId);
  }

  private publish(account: Account, userId: string): void {
    // A sync task renders when it runs: several commits in a row publish once.
    this.deps.queue.sync(`h:${account.id}/${userId}`, async (slot) => {
      const facts = homeFacts(account, userId, this.deps.now());
      const key = `${account.id}/${userId}`;
      if (this.homes.has(key)) this.homes.set(key, new Set(facts.waiting.map((w) => w.version.id)));
      await this.send(slot, userId, homeView(namesOf(account), facts, this.deps.cmd));
    });
  }

  private async send(slot: Slot, userId: string, view: ReturnType<typeof homeView>): Promise<void> {
    await slot.call('views.publish', null, () => this.deps.client.views.publish({ user_id: userId, view }));
  }

  /** Users whose Home a commit may change. */
  private concerned(notice: CommitNotice, account: Account): Set<string> {
    const s = account.view;
    const users = new Set<string>();
    const versions = new Set<string>();
    for (const e of notice.events) {
      users.add(e.actor);
      for (const r of roleChangesOf(e)) users.add(r.userId);
      const v = versionIdOf(e);
      if (v) versions.add(v);
      switch (e.type) {
        case 'access_request.created':
          users.add(e.data.request.userId);
          break;
        case 'access_request.approved':
        case 'access_request.denied':
        case 'access_request.expired': {
          const r = own(s.requests, e.data.requestId);
          if (r) users.add(r.userId);
          break;
        }
        case 'delegation.created':
        case 'delegation.removed':
          users.add(e.data.delegation.delegatorId).add(e.data.delegation.delegateId);
          break;
        case 'release.decided':
        case 'release.archived':
        case 'release.restored':
          for (const x of Object.values(s.versions)) if (x.releaseId === e.data.releaseId) versions.add(x.id);
          break;
        default:
          // What a role grants, or what a rule asks, changes what waits for anyone.
          if (redefinesRoles(e) || e.type.startsWith('rule.')) return this.remembered(account);
      }
    }
    for (const versionId of versions) {
      const v = own(s.versions, versionId);
      if (!v) continue;
      users.add(v.createdBy);
      for (const environmentId of v.requestedFor) {
        for (const a of account.approvers(versionId, environmentId)) {
          for (const u of a.userIds) {
            users.add(u);
            for (const d of account.delegationsOf(u)) if (d.delegatorId === u) users.add(d.delegateId);
          }
        }
      }
      // Those whose Home listed it: it may have left their list (approved, rejected, timed out).
      for (const [key, shown] of this.homes) if (shown.has(versionId) && key.startsWith(`${account.id}/`)) users.add(key.slice(account.id.length + 1));
    }
    return users;
  }

  /** Every user of the account whose Home this instance publishes. */
  private remembered(account: Account): Set<string> {
    const prefix = `${account.id}/`;
    return new Set([...this.homes.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
  }
}

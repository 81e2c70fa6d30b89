import type { Account, AuditEvent, CommitNotice, Gatehouse, Logger } from '@gatehouse/core';
import { SYSTEM, deploymentsOfVersion, roleChangesOf } from '@gatehouse/core';
import type { ChatPostMessageArguments, ChatUpdateArguments, WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import { serves } from '../config.js';
import { accessRequestMessage } from './blocks/access.js';
import type { ApprovalCard, CardState } from './blocks/approval.js';
import { approvalMessage, cardState } from './blocks/approval.js';
import type { Message } from './blocks/common.js';
import type { RoleChangeNotice } from './blocks/dm.js';
import { noApprovalChannelDm, noRequestChannelDm, requestOutcomeDm, roleChangeDm, versionOutcomeDm } from './blocks/dm.js';
import { deployedReply, gateOverriddenReply, releaseDecisionReply, versionDecisionReply } from './blocks/thread.js';
import { accountChannel, approvalChannel } from './channels.js';
import { namesOf } from './context.js';
import type { FollowUpTask } from './follow-up.js';
import { followUpTasks } from './follow-up.js';
import { HomePublisher } from './home.js';
import type { Slot } from './queue.js';
import { KeyedQueue, remember } from './queue.js';
import { own } from '../rest/lookup.js';

export interface NotifierDeps {
  gatehouse: Gatehouse;
  /**
   * The bot's Web API client. Made with `rejectRateLimitedCalls: true` (see `notifierClient`), so
   * a 429 reaches the queue, which waits the Retry-After for that method and channel only.
   */
  client: WebClient;
  config: Config;
  logger: Logger;
}

interface MessageRef {
  channel: string;
  ts: string;
}

/** Caches here are conveniences (a restart loses them harmlessly): keep them bounded. */
const CACHE_MAX = 20_000;

/**
 * Turns committed changes into Slack messages: the approval message (posted, then updated in
 * place), a thread reply per decision, DMs to creators, requesters and users whose roles changed,
 * and the access-request message to the approvers.
 *
 * It acts only on commits this process wrote (`local`), so with several instances on one store
 * exactly one of them (the writer) talks to Slack. Replayed commits only keep its caches current.
 */
export class Notifier {
  private readonly queue: KeyedQueue;
  /** Last known state of each version's card, to DM the creator on the transition only. */
  private readonly cards = new Map<string, CardState>();
  /** Where each access request's message is (in memory: a click can re-teach it after a restart). */
  private readonly requestMessages = new Map<string, MessageRef>();
  private readonly dmChannels = new Map<string, string>();
  private stopped = false;
  private unsubscribe: () => void = () => undefined;
  /** The App Home of users who opened it, re-published when a commit concerns them. */
  readonly home: HomePublisher;

  constructor(private readonly deps: NotifierDeps) {
    this.queue = new KeyedQueue((err, key) => deps.logger.error('slack notification failed', { key, err: err instanceof Error ? err.message : String(err) }), {
      onRateLimited: (method, channel, waitMs) => deps.logger.info('slack rate limit: the call is made again after Retry-After', { method, channel, waitMs }),
    });
    this.home = new HomePublisher({ client: deps.client, queue: this.queue, cmd: deps.config.SLACK_COMMAND, now: () => deps.gatehouse.clock.now(), logger: deps.logger });
  }

  /** Subscribes to the commits of the accounts this server serves (the store may hold others). */
  start(): void {
    this.unsubscribe = this.deps.gatehouse.onCommit((notice, account) => {
      if (this.stopped || !serves(this.deps.config, account.id)) return;
      try {
        this.onCommit(notice, account);
      } catch (err) {
        this.deps.logger.error('notifier failed on a commit', { account: notice.accountId, err: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** Stops reacting and waits for queued work. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.queue.idle();
  }

  /** Resolves when every queued Slack call has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Records where an access request's message is, as learned from a click on it. */
  rememberRequestMessage(accountId: string, requestId: string, ref: MessageRef): void {
    remember(this.requestMessages, `${accountId}/${requestId}`, ref, CACHE_MAX);
  }

  private onCommit(notice: CommitNotice, account: Account): void {
    const a = account.id;
    const n = namesOf(account);
    for (const e of notice.events) {
      // Card states are tracked for every commit, local or replayed, so transitions are right on any instance.
      const versionId = e.type === 'version.decided' || e.type === 'version.approval_requested' ? e.data.versionId : null;
      const before = versionId ? this.cards.get(`${a}/${versionId}`) : undefined;
      const after = versionId ? this.track(account, versionId) : undefined;
      if (!notice.local) {
        if (e.type === 'release.decided') for (const v of this.versionsOfRelease(account, e.data.releaseId)) this.track(account, v);
        continue;
      }
      for (const t of followUpTasks(account, e, n, this.deps.config.SLACK_COMMAND, this.deps.config.GATEHOUSE_DEFAULT_CHANNEL)) this.queue.push(t.key, (slot) => this.deliver(slot, account, t));
      switch (e.type) {
        case 'version.approval_requested':
          this.queue.sync(`v:${a}/${e.data.versionId}`, (slot) => this.syncVersion(slot, account, e.data.versionId, e.actor));
          break;
        case 'approval.timed_out':
          this.queue.sync(`v:${a}/${e.data.versionId}`, (slot) => this.syncVersion(slot, account, e.data.versionId, e.actor));
          break;
        case 'version.decided': {
          const key = `v:${a}/${e.data.versionId}`;
          this.queue.sync(key, (slot) => this.syncVersion(slot, account, e.data.versionId, e.actor));
          const text = versionDecisionReply(n, e);
          this.queue.push(key, (slot) => this.threadReply(slot, account, e.data.versionId, text));
          const d = e.data;
          const transitioned = before === undefined ? (d.decision === 'approve' ? after === 'ready' : after === 'rejected' && d.previous !== 'reject') : before !== after;
          if (transitioned && (after === 'ready' || after === 'rejected')) this.queue.push(key, (slot) => this.dmCreator(slot, account, e.data.versionId, after, e));
          break;
        }
        case 'release.decided':
          this.onReleaseDecided(account, e);
          break;
        case 'gate.overridden': {
          const text = gateOverriddenReply(n, e);
          this.queue.push(`v:${a}/${e.data.versionId}`, (slot) => this.threadReply(slot, account, e.data.versionId, text, true));
          break;
        }
        case 'deployment.created':
          // The card shows where its version went (and says Deployed once it went everywhere it was approved for).
          if (own(account.view.versions, e.data.deployment.versionId)?.message) this.queue.sync(`v:${a}/${e.data.deployment.versionId}`, (slot) => this.syncVersion(slot, account, e.data.deployment.versionId, e.actor));
          if (!e.data.deployment.override) {
            const text = deployedReply(n, e);
            this.queue.push(`v:${a}/${e.data.deployment.versionId}`, (slot) => this.threadReply(slot, account, e.data.deployment.versionId, text));
          }
          break;
        case 'access_request.created':
          this.queue.sync(`r:${a}/${e.data.request.id}`, (slot) => this.syncRequest(slot, account, e.data.request.id));
          break;
        case 'access_request.approved':
        case 'access_request.denied':
          this.queue.sync(`r:${a}/${e.data.requestId}`, (slot) => this.syncRequest(slot, account, e.data.requestId));
          this.queue.push(`r:${a}/${e.data.requestId}`, (slot) => this.dmRequestOutcome(slot, account, e.data.requestId));
          break;
        default:
          break;
      }
    }
    if (notice.local) this.roleChangeDms(notice, account);
    this.home.onCommit(notice, account);
  }

  private track(account: Account, versionId: string): CardState | undefined {
    const card = this.card(account, versionId);
    if (!card) return undefined;
    const state = cardState(card);
    remember(this.cards, `${account.id}/${versionId}`, state, CACHE_MAX);
    return state;
  }

  /** The version's card from the current state (null when it vanished or has no request). */
  private card(account: Account, versionId: string): ApprovalCard | null {
    const s = account.view;
    const version = own(s.versions, versionId);
    const product = version ? own(s.products, version.productId) : undefined;
    if (!version || !product || version.requestedFor.length === 0) return null;
    const environments = version.requestedFor.flatMap((id) => {
      const environment = own(s.environments, id);
      const deployed = deploymentsOfVersion(s, versionId).findLast((d) => d.environmentId === id) ?? null;
      return environment ? [{ environment, evaluation: account.evaluate({ versionId, environmentId: id }), deployed }] : [];
    });
    const release = version.releaseId ? (own(s.releases, version.releaseId) ?? null) : null;
    return { version, product, environments, release };
  }

  /** Posts the approval message the first time, updates it in place afterwards. */
  private async syncVersion(slot: Slot, account: Account, versionId: string, requester: string): Promise<void> {
    const card = this.card(account, versionId);
    if (!card) return;
    const msg = approvalMessage(namesOf(account), card);
    const linked = card.version.message;
    if (linked) {
      await this.update(slot, { channel: linked.channel, ts: linked.ts, text: msg.text, blocks: msg.blocks });
      return;
    }
    const channel = approvalChannel(account.view, card.product.id, card.version.requestedFor, this.deps.config.GATEHOUSE_DEFAULT_CHANNEL);
    if (!channel) {
      this.deps.logger.warn('no channel for approval messages', { account: account.id, product: card.product.id });
      await this.dm(slot, account, requester, noApprovalChannelDm(card.product, card.version, this.deps.config.SLACK_COMMAND));
      return;
    }
    const posted = await this.post(slot, { channel, text: msg.text, blocks: msg.blocks, unfurl_links: false });
    if (!posted.ts || !posted.channel) throw new Error('chat.postMessage returned no ts');
    let permalink: string | null = null;
    try {
      const at = { channel: posted.channel, message_ts: posted.ts };
      permalink = (await slot.call('chat.getPermalink', null, () => this.deps.client.chat.getPermalink(at))).permalink ?? null;
    } catch (err) {
      this.deps.logger.warn('no permalink for the approval message', { err: err instanceof Error ? err.message : String(err) });
    }
    await account.linkMessage(SYSTEM, { versionId, message: { channel: posted.channel, ts: posted.ts, permalink } });
  }

  /** A follow-up message: a DM, a post in a channel, or a reply in the version card's thread. */
  private async deliver(slot: Slot, account: Account, t: FollowUpTask): Promise<void> {
    if (t.to.kind === 'user') return this.dm(slot, account, t.to.id, t.message);
    const channel = t.to.kind === 'channel' ? { channel: t.to.id } : (() => {
      const ref = own(account.view.versions, t.to.versionId)?.message;
      return ref ? { channel: ref.channel, thread_ts: ref.ts } : null;
    })();
    if (channel) await this.post(slot, { ...channel, text: t.message.text, blocks: t.message.blocks });
  }

  private async threadReply(slot: Slot, account: Account, versionId: string, text: string, broadcast = false): Promise<void> {
    const ref = own(account.view.versions, versionId)?.message;
    if (!ref) return;
    if (broadcast) await this.post(slot, { channel: ref.channel, thread_ts: ref.ts, text, reply_broadcast: true });
    else await this.post(slot, { channel: ref.channel, thread_ts: ref.ts, text });
  }

  private async dmCreator(slot: Slot, account: Account, versionId: string, state: 'ready' | 'rejected', e: AuditEvent): Promise<void> {
    const s = account.view;
    const v = own(s.versions, versionId);
    const p = v ? own(s.products, v.productId) : undefined;
    if (!v || !p) return;
    await this.dm(slot, account, v.createdBy, versionOutcomeDm(namesOf(account), v, p, state, e));
  }

  private onReleaseDecided(account: Account, e: Extract<AuditEvent, { type: 'release.decided' }>): void {
    const text = releaseDecisionReply(namesOf(account), e);
    for (const versionId of this.versionsOfRelease(account, e.data.releaseId)) {
      const key = `v:${account.id}/${versionId}`;
      const before = this.cards.get(`${account.id}/${versionId}`);
      const after = this.track(account, versionId);
      this.queue.sync(key, (slot) => this.syncVersion(slot, account, versionId, e.actor));
      this.queue.push(key, (slot) => this.threadReply(slot, account, versionId, text));
      if (before !== after && (after === 'ready' || after === 'rejected')) this.queue.push(key, (slot) => this.dmCreator(slot, account, versionId, after, e));
    }
  }

  /** Versions of a release that approval was requested for. */
  private versionsOfRelease(account: Account, releaseId: string): string[] {
    return Object.values(account.view.versions)
      .filter((v) => v.releaseId === releaseId && v.requestedFor.length > 0)
      .map((v) => v.id);
  }

  /** Access requests go to the account's approvers: the default channel. */
  private async syncRequest(slot: Slot, account: Account, requestId: string): Promise<void> {
    const r = own(account.view.requests, requestId);
    if (!r) return;
    const grant = r.grantId ? (own(account.view.grants, r.grantId) ?? null) : null;
    const msg = accessRequestMessage(namesOf(account), r, grant);
    const key = `${account.id}/${requestId}`;
    const ref = this.requestMessages.get(key);
    if (ref) {
      await this.update(slot, { channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
      return;
    }
    if (r.status !== 'pending') return;
    const channel = accountChannel(account.view, this.deps.config.GATEHOUSE_DEFAULT_CHANNEL);
    if (!channel) {
      this.deps.logger.warn('no channel for access requests', { account: account.id });
      await this.dm(slot, account, r.userId, noRequestChannelDm());
      return;
    }
    const posted = await this.post(slot, { channel, text: msg.text, blocks: msg.blocks });
    if (posted.ts && posted.channel) remember(this.requestMessages, key, { channel: posted.channel, ts: posted.ts }, CACHE_MAX);
  }

  private async dmRequestOutcome(slot: Slot, account: Account, requestId: string): Promise<void> {
    const r = own(account.view.requests, requestId);
    if (!r || r.status === 'pending') return;
    await this.dm(slot, account, r.userId, requestOutcomeDm(namesOf(account), r, account.roles(r.userId)));
  }

  /**
   * One DM per user whose roles a commit changed, with the roles before and after. Newcomers'
   * default role is not announced; grants from an access request are announced with its outcome,
   * and their expiry says so.
   */
  private roleChangeDms(notice: CommitNotice, account: Account): void {
    const changes = new Map<string, Omit<RoleChangeNotice, 'actor'>>();
    const added = new Set<string>();
    const viaRequest = new Set<string>();
    let actor: string = SYSTEM.userId;
    for (const e of notice.events) {
      actor = e.actor;
      if (e.type === 'user.added') added.add(e.data.user.id);
      if (e.type === 'account.created') return;
      const roles = roleChangesOf(e);
      if (e.type === 'grant.created' && e.data.grant.requestId) for (const r of roles) viaRequest.add(r.userId);
      for (const r of roles) {
        const seen = changes.get(r.userId);
        const expiredRequest = e.type === 'grant.expired' ? e.data.grant.requestId : null;
        changes.set(r.userId, { before: seen?.before ?? r.before, after: r.after, expiredRequest: seen?.expiredRequest ?? expiredRequest });
      }
    }
    const n = namesOf(account);
    for (const [userId, c] of changes) {
      if (added.has(userId) || JSON.stringify(c.before) === JSON.stringify(c.after)) continue;
      // The outcome DM of the access request already lists the new roles.
      if (viaRequest.has(userId)) continue;
      const msg = roleChangeDm(n, { actor, ...c }, this.deps.config.SLACK_COMMAND);
      this.queue.push(`u:${account.id}/${userId}`, (slot) => this.dm(slot, account, userId, msg));
    }
  }

  /** A direct message (conversations.open, then chat.postMessage). Service accounts and deactivated users are skipped. */
  private async dm(slot: Slot, account: Account, userId: string, msg: Message): Promise<void> {
    const u = own(account.view.users, userId);
    // Service accounts have no Slack DM; deactivated users (e.g. deleted in Slack) cannot be reached.
    if (userId === SYSTEM.userId || u?.serviceAccount || u?.active === false) return;
    let channel = this.dmChannels.get(userId);
    if (!channel) {
      const opened = await slot.call('conversations.open', null, () => this.deps.client.conversations.open({ users: userId }));
      channel = opened.channel?.id;
      if (!channel) throw new Error(`conversations.open gave no channel for ${userId}`);
      remember(this.dmChannels, userId, channel, CACHE_MAX);
    }
    await this.post(slot, { channel, text: msg.text, blocks: msg.blocks });
  }

  private post(slot: Slot, args: ChatPostMessageArguments) {
    return slot.call('chat.postMessage', args.channel, () => this.deps.client.chat.postMessage(args));
  }

  private update(slot: Slot, args: ChatUpdateArguments) {
    return slot.call('chat.update', args.channel, () => this.deps.client.chat.update(args));
  }
}

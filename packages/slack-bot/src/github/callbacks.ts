import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Account, Gatehouse, GithubCallback, GithubReview, Logger } from '@gatehouse/core';
import { own } from '@gatehouse/core';
import type { ReviewSender } from './app-client.js';
import { reviewComment } from './comment.js';

export interface CallbackWorkerOptions {
  gatehouse: Gatehouse;
  sender: ReviewSender;
  logger: Logger;
  /** Accounts whose reviews this worker answers (the server's one account). */
  accountIds: readonly string[];
  /** This process's name in claims; random by default (a restarted process is another instance). */
  instance?: string;
  /** First retry delay (ms); doubles per attempt up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** How long a claim holds before another instance may take it over; renewed at half-time while retrying. */
  leaseMs?: number;
  /** How often every open review is looked at, besides on each commit (claims left by a stopped instance, restarts). */
  scanMs?: number;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Answers GitHub for every review once its version is decided for the environment. Each instance
 * watches the log; the one whose claim commits first sends (the commit loop lets one commit per seq
 * win, so two instances cannot both claim), retrying with exponential backoff until GitHub accepts,
 * then records the callback with its attempt count. A claim is a lease: the holder renews it while
 * retrying; if its instance stops, another takes the claim over once the lease runs out.
 */
export class CallbackWorker {
  readonly instance: string;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly leaseMs: number;
  private readonly scanMs: number;
  private readonly jobs = new Map<string, Promise<void>>();
  private readonly scans = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Callbacks GitHub took whose recording failed (store unavailable): recorded again, never sent again. */
  private readonly unrecorded = new Map<string, { reviewId: string; outcome: 'sent' | 'failed'; attempts: number; status: number | null; error: string | null }>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: () => void = () => undefined;

  constructor(private readonly opts: CallbackWorkerOptions) {
    this.instance = opts.instance ?? `gh_${randomBytes(6).toString('hex')}`;
    this.retryMs = opts.retryMs ?? 1000;
    this.maxRetryMs = opts.maxRetryMs ?? 300_000;
    this.leaseMs = opts.leaseMs ?? 600_000;
    this.scanMs = opts.scanMs ?? 30_000;
  }

  start(): void {
    this.unsubscribe = this.opts.gatehouse.onCommit((notice) => {
      if (this.opts.accountIds.includes(notice.accountId)) this.scan(notice.accountId);
    });
    this.timer = setInterval(() => this.scanAll(), this.scanMs);
    this.timer.unref();
    this.scanAll();
  }

  /** Stops scanning and sending; a claim held now passes to another instance when its lease runs out. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves when no scan or callback is under way (tests; a retrying callback keeps it waiting). */
  async idle(): Promise<void> {
    while (this.scans.size || this.jobs.size) await Promise.allSettled([...this.scans.values(), ...this.jobs.values()]);
  }

  scanAll(): void {
    for (const id of this.opts.accountIds) this.scan(id);
  }

  /** Looks at an account's open reviews; one scan at a time per account, another queued behind it. */
  private scan(accountId: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.scans.has(accountId)) {
      this.again.add(accountId);
      return;
    }
    const run = this.scanOnce(accountId)
      .catch((err: unknown) => this.opts.logger.error('GitHub callbacks: scan failed', { account: accountId, err: errText(err) }))
      .finally(() => {
        this.scans.delete(accountId);
        if (this.again.delete(accountId)) this.scan(accountId);
      });
    this.scans.set(accountId, run);
  }

  private async scanOnce(accountId: string): Promise<void> {
    const account = await this.opts.gatehouse.account(accountId);
    if (!account.exists) return;
    for (const review of account.openGithubReviews()) {
      if (this.stopping.signal.aborted) return;
      const key = `${accountId}/${review.id}`;
      if (this.jobs.has(key)) continue;
      const ended = this.unrecorded.get(key);
      if (ended) {
        await account.recordGithubCallback({ ...ended, instance: this.instance });
        this.unrecorded.delete(key);
        continue;
      }
      const held = review.callback;
      if (held && held.instance !== this.instance && held.leaseUntil > this.opts.gatehouse.clock.now()) continue;
      let answer: { state: GithubCallback['state']; comment: string };
      if (held) answer = held;
      else {
        const verdict = account.githubVerdict(review);
        if (!verdict) continue;
        answer = { state: verdict.state, comment: reviewComment(account, review, verdict) };
      }
      const claim = await account.claimGithubCallback({ reviewId: review.id, ...answer, instance: this.instance, leaseMs: this.leaseMs });
      if (!claim) continue;
      if (held) this.opts.logger.warn('GitHub callback taken over from an instance whose claim ran out', { review: review.id, from: held.instance, instance: this.instance });
      const job = this.send(account, key, review.id, claim)
        .catch((err: unknown) => this.opts.logger.error('GitHub callback failed', { review: review.id, err: errText(err) }))
        .finally(() => this.jobs.delete(key));
      this.jobs.set(key, job);
    }
  }

  private held(account: Account, reviewId: string): GithubReview | null {
    const r = own(account.view.githubReviews, reviewId);
    return r && r.callback?.outcome === undefined && r.callback?.instance === this.instance ? r : null;
  }

  /** Sends until GitHub accepts (or refuses for good), renewing the claim while it waits. */
  private async send(account: Account, key: string, reviewId: string, claim: GithubCallback): Promise<void> {
    const { logger, gatehouse } = this.opts;
    let attempts = claim.attempts;
    let leaseUntil = claim.leaseUntil;
    for (;;) {
      const review = this.held(account, reviewId);
      if (!review || this.stopping.signal.aborted) return;
      if (leaseUntil - gatehouse.clock.now() < this.leaseMs / 2) {
        const renewed = await account.claimGithubCallback({ reviewId, state: claim.state, comment: claim.comment, instance: this.instance, leaseMs: this.leaseMs, attempts });
        if (!renewed) return;
        leaseUntil = renewed.leaseUntil;
      }
      attempts++;
      const r = await this.opts.sender.send(review, { environment_name: review.environmentName, state: claim.state, comment: claim.comment });
      const facts = { review: reviewId, repository: review.repository, run: review.runId, environment: review.environmentName, state: claim.state, attempts, status: r.status };
      if (r.ok || !r.retryable) {
        const ended = { reviewId, outcome: r.ok ? ('sent' as const) : ('failed' as const), attempts, status: r.status, error: r.error };
        // Remembered until recorded: should the store refuse now, a later scan records it instead of sending again.
        this.unrecorded.set(key, ended);
        await account.recordGithubCallback({ ...ended, instance: this.instance });
        this.unrecorded.delete(key);
        if (r.ok) logger.info('GitHub callback sent', facts);
        else logger.error(`GitHub refused the callback, not retrying: ${r.error ?? ''}`, facts);
        return;
      }
      const wait = Math.min(this.retryMs * 2 ** (attempts - 1), this.maxRetryMs);
      logger.warn(`GitHub callback not accepted, retrying in ${wait} ms: ${r.error ?? ''}`, facts);
      try {
        await sleep(wait, undefined, { signal: this.stopping.signal });
      } catch {
        return;
      }
    }
  }
}

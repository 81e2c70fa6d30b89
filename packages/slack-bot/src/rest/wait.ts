import { createHash } from 'node:crypto';
import type { Account, EventBody, Evaluation, Gatehouse } from '@gatehouse/core';
import { versionIdOf } from '@gatehouse/core';

/** A strong ETag of an evaluation: equal exactly when nothing a pipeline waits on changed. */
export function evaluationTag(e: Evaluation): string {
  return `"${createHash('sha256').update(JSON.stringify(e)).digest('base64url').slice(0, 27)}"`;
}

interface Waiter {
  readonly versionId: string;
  readonly environmentId: string;
  readonly tag: string;
  readonly done: (e: Evaluation | null) => void;
}

/**
 * Long-poll waiters on evaluations: a request that holds the current ETag parks here until a
 * commit changes its evaluation (answered at once) or its time runs out. Commits replayed from
 * other instances wake them too (Account.onCommit fires for both), so a click on instance B
 * answers a pipeline waiting on instance A. A waiter costs a closure and a timer; a commit
 * re-evaluates only the waiters of the versions it names (all of them only when rules, releases or
 * environments changed).
 */
export class EvaluationWaiters {
  private readonly byAccount = new Map<string, Set<Waiter>>();
  private readonly stop: () => void;

  constructor(gatehouse: Gatehouse) {
    this.stop = gatehouse.onCommit((notice, account) => this.wake(account, notice.events));
  }

  get size(): number {
    let n = 0;
    for (const set of this.byAccount.values()) n += set.size;
    return n;
  }

  /**
   * Resolves with the new evaluation when it differs from `tag`, or null after `seconds`, or null
   * when `signal` aborts (the client went away) — the waiter is removed in every case.
   */
  wait(account: Account, versionId: string, environmentId: string, tag: string, seconds: number, signal: AbortSignal): Promise<Evaluation | null> {
    return new Promise((resolve) => {
      let set = this.byAccount.get(account.id);
      if (!set) this.byAccount.set(account.id, (set = new Set()));
      const waiters = set;
      const finish = (e: Evaluation | null) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0) this.byAccount.delete(account.id);
        resolve(e);
      };
      const onAbort = () => finish(null);
      const waiter: Waiter = { versionId, environmentId, tag, done: finish };
      const timer = setTimeout(() => finish(null), seconds * 1000);
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
      // A commit may have landed between the caller's evaluation and now.
      this.check(account, waiter);
    });
  }

  close(): void {
    this.stop();
    for (const set of this.byAccount.values()) for (const w of [...set]) w.done(null);
  }

  /**
   * Re-evaluates the waiters a commit can concern: those of the versions its events name, or all of
   * the account's when it changed what every evaluation reads (rules, releases, environments).
   */
  private wake(account: Account, events: readonly EventBody[]): void {
    const set = this.byAccount.get(account.id);
    if (!set) return;
    const versions = new Set<string>();
    let all = false;
    for (const e of events) {
      const v = versionIdOf(e);
      if (v) versions.add(v);
      else if (e.type.startsWith('rule.') || e.type.startsWith('release.') || e.type.startsWith('environment.')) all = true;
    }
    if (!all && versions.size === 0) return;
    for (const w of [...set]) if (all || versions.has(w.versionId)) this.check(account, w);
  }

  private check(account: Account, w: Waiter): void {
    let e: Evaluation;
    try {
      e = account.evaluate({ versionId: w.versionId, environmentId: w.environmentId });
    } catch {
      // The version or environment is gone or no longer matches: let the client ask again.
      w.done(null);
      return;
    }
    if (evaluationTag(e) !== w.tag) w.done(e);
  }
}

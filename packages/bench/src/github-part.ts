import type { Account } from '@gatehouse/core';
import { own } from '@gatehouse/core';
import { FakeGithub, deploymentProtectionRulePayload, githubEnv, setupSlack } from '@gatehouse/slack-bot/testing';
import type { BenchOptions, Table } from './harness.js';
import { nowNs } from './harness.js';
import type { Summary } from './stats.js';
import { fmtMs, fmtSummary, quantile, summarize } from './stats.js';

export interface GithubResult {
  readonly rounds: number;
  /** From the deciding approval click (sent) to GitHub's fake receiving the `approved` callback (ms). */
  readonly callbackMs: Summary;
  readonly p99: number;
  readonly callbacks: number;
}

/** Who gives each type in the demo account (not the creator). */
const APPROVER: Record<string, string> = { qa: 'UQUINN', security: 'USEC', operational: 'USAM', product: 'UPAM', compliance: 'UADA', release: 'URITA' };

/**
 * A GitHub deployment held by Gatehouse, released by Slack clicks: GitHub's fake delivers a
 * signed `deployment_protection_rule`, the approvers click Approve on the card (signed requests
 * through the real Bolt receiver), and the time is taken from the deciding click to the moment the
 * fake GitHub receives Gatehouse's `approved` callback (installation token, retries included).
 * Server, fake Slack and fake GitHub run in this process (loopback HTTP). Checks one callback per
 * round; never asserts a time.
 */
export async function runGithub(opts: BenchOptions): Promise<{ table: Table; result: GithubResult }> {
  const rounds = opts.quick ? 3 : 30;
  opts.log(`github: ${String(rounds)} deployments held and released by Slack clicks`);
  const gh = await FakeGithub.start();
  const ctx = await setupSlack({ env: githubEnv(gh) });
  const account: Account = ctx.account;
  const url = `${ctx.server.url}/github/webhook`;
  const times: number[] = [];
  try {
    await account.updateProduct({ userId: 'UADA' }, { productId: 'checkout', repositories: ['acme/checkout'] });
    for (let r = 0; r < rounds; r++) {
      const sha = (r + 1).toString(16).padStart(40, 'a');
      const res = await gh.deliver(url, 'deployment_protection_rule', deploymentProtectionRulePayload(gh, { sha, runId: 1000 + r }));
      const versionId = String((res.json as { versionId?: unknown }).versionId);
      const ref = await ctx.fake.waitFor(() => own(account.view.versions, versionId)?.message, 'the approval card', 10_000);
      await ctx.settle();
      const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`);
      if (!msg) throw new Error('github bench: the card is not a message the bot posted');
      const missing = account.evaluate({ versionId, environmentId: 'production' }).requirements.filter((x) => !x.satisfied);
      const before = gh.callbacks.length;
      for (const [i, req] of missing.entries()) {
        const approver = APPROVER[req.type];
        if (!approver) throw new Error(`github bench: nobody to give ${req.type}`);
        const last = i === missing.length - 1;
        const t0 = nowNs();
        const click = await ctx.click(approver, msg, `version_approve:${req.type}`);
        if (click.status !== 200) throw new Error(`github bench: the click answered ${String(click.status)}`);
        if (last) {
          await gh.callbacksAtLeast(before + 1, 10_000);
          times.push((nowNs() - t0) / 1e6);
        } else await ctx.settle();
      }
      const cb = gh.callbacks[before];
      if (gh.callbacks.length !== before + 1 || cb?.body.state !== 'approved') throw new Error(`github bench: round ${String(r)} got ${String(gh.callbacks.length - before)} callbacks (${String(cb?.body.state)})`);
      await ctx.server.github?.idle();
      await ctx.settle();
    }
  } finally {
    await ctx.close();
    await gh.close();
  }
  const result: GithubResult = { rounds, callbackMs: summarize(times), p99: quantile(times, 0.99), callbacks: times.length };
  return {
    result,
    table: {
      title: '8. GitHub deployments held by Gatehouse',
      columns: ['measure', 'rounds', 'median (min–max)', 'p99'],
      rows: [['deciding Slack click → the `approved` callback received by GitHub', String(rounds), fmtSummary(result.callbackMs, fmtMs), fmtMs(result.p99)]],
      notes: [
        'Workload: GitHub (a loopback fake that signs webhooks, issues installation tokens for a valid app JWT and records callbacks) asks for a review of each run; the demo approvers click Approve on the Slack card (signed requests through the real Bolt receiver, fake Slack Web API); the clock stops when GitHub has the callback. Server and fakes share this process. Each round recorded exactly one `approved` callback.',
      ],
    },
  };
}

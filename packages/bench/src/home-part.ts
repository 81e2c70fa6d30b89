import { setupSlack } from '@gatehouse/slack-bot/testing';
import type { BenchOptions, Table } from './harness.js';
import { nowNs } from './harness.js';
import type { Summary } from './stats.js';
import { fmtMs, fmtSummary, quantile, summarize } from './stats.js';

export interface HomeResult {
  readonly pending: number;
  readonly rounds: number;
  /** From the signed `app_home_opened` event to the `views.publish` the fake Slack received (ms). */
  readonly publishMs: Summary;
  readonly p99: number;
}

/**
 * App Home for a busy approver: Quinn (QA) has `pending` versions waiting for her; she opens the
 * Home tab (a signed `app_home_opened` event through the real Bolt receiver) and the clock stops
 * when the fake Slack has the `views.publish`. Server and fake Slack in this process.
 */
export async function runHome(opts: BenchOptions): Promise<{ table: Table; result: HomeResult }> {
  const pending = opts.quick ? 10 : 50;
  const rounds = opts.quick ? 5 : 50;
  opts.log(`home: ${String(pending)} approvals waiting for one approver, ${String(rounds)} openings of the Home tab`);
  const ctx = await setupSlack({});
  const times: number[] = [];
  try {
    const dev = { userId: 'UDEV' };
    for (let i = 0; i < pending; i++) {
      const { version } = await ctx.account.createVersion(dev, { productId: 'checkout', version: `9.${String(i)}.0` });
      await ctx.account.requestApproval(dev, { versionId: version.id, environmentId: 'production' });
    }
    await ctx.settle();
    const waiting = ctx.account.pendingApprovals('UQUINN').length;
    if (waiting < pending) throw new Error(`home bench: Quinn has ${String(waiting)} approvals waiting, expected at least ${String(pending)}`);
    await ctx.openHome('UQUINN');
    for (let r = 0; r < rounds; r++) {
      const t0 = nowNs();
      const res = await ctx.openHome('UQUINN');
      times.push((nowNs() - t0) / 1e6);
      if (res.status !== 200) throw new Error(`home bench: app_home_opened answered ${String(res.status)}`);
    }
  } finally {
    await ctx.close();
  }
  const result: HomeResult = { pending, rounds, publishMs: summarize(times), p99: quantile(times, 0.99) };
  return {
    result,
    table: {
      title: '9. Slack App Home',
      columns: ['measure', 'approvals waiting', 'rounds', 'median (min–max)', 'p99'],
      rows: [['app_home_opened (signed) → views.publish received', String(pending), String(rounds), fmtSummary(result.publishMs, fmtMs), fmtMs(result.p99)]],
      notes: ['Workload: the demo account plus versions of Checkout waiting for QA in production; Quinn (QA) opens the Home tab; the Home lists what waits for her (the first 20, the rest counted) with the buttons. The clock stops when the fake Slack Web API has the published view. Server and fake in this process.'],
    },
  };
}

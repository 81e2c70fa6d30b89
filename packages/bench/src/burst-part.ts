import { own } from '@gatehouse/core';
import { setupSlack } from '@gatehouse/slack-bot/testing';
import type { BenchOptions, Table } from './harness.js';
import { nowNs } from './harness.js';

export interface BurstResult {
  readonly requests: number;
  readonly perSecond: number;
  /** From the first request to the last approval message delivered (ms). */
  readonly lastDeliveredMs: number;
  /** What the limit allows at best: the first `perSecond` at once, then `perSecond` a second (ms). */
  readonly lowerBoundMs: number;
  readonly delivered: number;
  readonly refused429: number;
}

/**
 * A burst of approval requests against a Slack that allows `perSecond` posts per channel and
 * answers 429 with Retry-After past it (as Slack does): every approval message must arrive, late
 * rather than lost; the time until the last one is compared with the lower bound the limit sets.
 */
export async function runBurst(opts: BenchOptions): Promise<{ table: Table; result: BurstResult }> {
  const requests = opts.quick ? 6 : 100;
  const perSecond = 1;
  opts.log(`burst: ${String(requests)} approval requests, Slack allowing ${String(perSecond)} post a second per channel (about ${String(requests)} s)`);
  const ctx = await setupSlack({ fake: { rateLimits: { 'chat.postMessage': perSecond } } });
  let result: BurstResult;
  try {
    const dev = { userId: 'UDEV' };
    const t0 = nowNs();
    const ids: string[] = [];
    for (let i = 0; i < requests; i++) {
      const { version } = await ctx.account.createVersion(dev, { productId: 'checkout', version: `8.0.${String(i)}` });
      await ctx.account.requestApproval(dev, { versionId: version.id, environmentId: 'production' });
      ids.push(version.id);
    }
    const linked = () => ids.filter((id) => own(ctx.account.view.versions, id)?.message).length;
    await ctx.fake.waitFor(() => linked() === requests, 'every approval message to be delivered', requests * 3000 + 30_000);
    const lastDeliveredMs = (nowNs() - t0) / 1e6;
    await ctx.settle();
    result = { requests, perSecond, lastDeliveredMs, lowerBoundMs: (Math.ceil(requests / perSecond) - 1) * 1000, delivered: linked(), refused429: ctx.fake.rateLimited().length };
    if (result.delivered !== requests) throw new Error(`burst bench: ${String(result.delivered)} of ${String(requests)} approval messages delivered`);
  } finally {
    await ctx.close();
  }
  return {
    result,
    table: {
      title: '10. A burst against Slack’s rate limit',
      columns: ['approval requests', 'limit', 'last message delivered after', 'lower bound the limit sets', '429s answered', 'delivered'],
      rows: [[String(result.requests), `${String(perSecond)} post/s per channel`, `${(result.lastDeliveredMs / 1000).toFixed(1)} s`, `${(result.lowerBoundMs / 1000).toFixed(1)} s`, String(result.refused429), `${String(result.delivered)} / ${String(result.requests)}`]],
      notes: ['Workload: the requests are committed as fast as the core takes them; the notifier queues one approval message per version (all to the approvals channel) and a DM per approver; the fake Slack answers 429 with Retry-After past the limit and the queue waits as told. Delivered = approval messages posted and linked to their version (must equal the requests).'],
    },
  };
}

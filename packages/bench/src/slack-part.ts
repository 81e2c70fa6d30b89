import type { Table } from './harness.js';

export interface SlackResult {
  readonly todo: string;
}

/**
 * TODO(slack): the Slack app is being built in packages/slack-bot/src/slack, with a fake Slack Web
 * API and signed-request builders in its test support. Once that has landed, measure here: start
 * the server in a child process in HTTP mode against the fake Slack Web API on loopback,
 * seed pending approvals, send 100 concurrent signed block_actions clicks (Approve) through the
 * real Bolt receiver, and report ack latency p50/p99 (target p99 ≤ 50 ms) and decisions recorded,
 * which must equal the clicks.
 */
export function runSlack(): { table: Table; result: SlackResult } {
  const todo = 'not measured yet: the Slack app (packages/slack-bot/src/slack) and its signed-request test helpers had not landed when this harness was written; see TODO(slack) in packages/bench/src/slack-part.ts';
  return {
    result: { todo },
    table: {
      title: '2. Slack interactions (TODO)',
      columns: ['measure', 'result', 'target'],
      rows: [
        ['100 concurrent signed block_actions clicks: ack latency p50 / p99', 'TODO', 'p99 ≤ 50 ms'],
        ['decisions recorded / clicks', 'TODO', 'equal'],
      ],
      notes: [`TODO: ${todo}.`],
    },
  };
}

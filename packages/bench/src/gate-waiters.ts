#!/usr/bin/env node
/**
 * Many pipelines waiting at once, in one process of their own: the CLI's own `runGate` with
 * --wait (the same requests as `gatehouse gate --wait`: find the version, evaluate, ask who can
 * approve, then long-poll with the ETag) for every version the parent names, all concurrently.
 * A thousand CLI processes would measure Node start-ups, not the server.
 */
import type { RestClient as RestClientClass } from '../../slack-bot/dist/src/client/rest-client.js';
import type { runGate as RunGate } from '../../slack-bot/dist/src/pipeline/gate.js';

/** The parent: start waiting on these versions. */
export interface WaitRequest {
  readonly type: 'wait';
  readonly url: string;
  readonly token: string;
  readonly product: string;
  readonly environment: string;
  readonly versions: readonly string[];
}

/** Every waiter has sent its first long-poll (the server may not have parked them all yet). */
export interface WaitingReply {
  readonly type: 'waiting';
  readonly n: number;
}

/** Every waiter has its answer. Times are `performance.timeOrigin + performance.now()` (comparable across processes). */
export interface AnsweredReply {
  readonly type: 'answered';
  readonly results: readonly { version: string; status: string; at: number; error: string | null }[];
}

// runGate and the REST client are not (yet) exported by @gatehouse/slack-bot: load them from its
// build, as rest-server.ts does with seedDemo (the built layout is packages/*/dist/src on both sides).
const slackBot = (path: string) => new URL(`../../../slack-bot/dist/src/${path}`, import.meta.url).href;
const { RestClient } = (await import(slackBot('client/rest-client.js'))) as { RestClient: typeof RestClientClass };
const { runGate } = (await import(slackBot('pipeline/gate.js'))) as { runGate: typeof RunGate };

const now = () => performance.timeOrigin + performance.now();

async function waitAll(r: WaitRequest): Promise<void> {
  const client = new RestClient(r.url, r.token);
  let waiting = 0;
  const results = await Promise.all(
    r.versions.map(async (version) => {
      let counted = false;
      // runGate says this once per long-poll, just before sending it.
      const note = (line: string) => {
        if (counted || !line.startsWith('waiting for approvals of')) return;
        counted = true;
        if (++waiting === r.versions.length) process.send?.({ type: 'waiting', n: waiting } satisfies WaitingReply);
      };
      try {
        const g = await runGate(client, { product: r.product, version, env: r.environment, wait: true, timeoutMs: 15 * 60_000, onTimeout: 'fail' }, { out: () => {}, note });
        return { version, status: g.status, at: now(), error: null };
      } catch (err) {
        return { version, status: 'error', at: now(), error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  process.send?.({ type: 'answered', results } satisfies AnsweredReply);
}

process.on('message', (m: WaitRequest) => {
  if (m.type === 'wait') void waitAll(m);
});
process.once('disconnect', () => process.exit(0));

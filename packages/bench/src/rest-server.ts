#!/usr/bin/env node
/**
 * The REST benchmark's server, run as a child process so the load generator never shares its
 * event loop: a memory store seeded with the demo account, the real `startServer`, the rate limit
 * raised out of the way. Tells the parent its URL and the demo keys over IPC, then serves until
 * the parent disconnects.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { Gatehouse } from '@gatehouse/core';
import { ConfigSchema, startServer } from '@gatehouse/slack-bot';
// seedDemo is not (yet) exported by @gatehouse/slack-bot: take its type from the package's build
// and load it from there at run time (the built layout is packages/*/dist/src on both sides).
import type { seedDemo as SeedDemo } from '../../slack-bot/dist/src/demo.js';

export const REST_ACCOUNT = 'TDEMO';

/** What the child sends once it listens. */
export interface ServerReady {
  readonly type: 'ready';
  readonly url: string;
  readonly keys: readonly { userId: string; secret: string }[];
}

/** The parent asks for (and resets) the server-side times; the child answers with them. */
export interface TimesRequest {
  readonly type: 'times';
}
export interface TimesReply {
  readonly type: 'times';
  /** Milliseconds from a request's arrival (headers parsed) to its response finished, per request since the last ask. */
  readonly ms: readonly number[];
}

/** The parent asks how much memory the server holds (after a full collection, when run with --expose-gc). */
export interface MemoryRequest {
  readonly type: 'memory';
}
export interface MemoryReply {
  readonly type: 'memory';
  readonly heapUsed: number;
  readonly rss: number;
  /** Requests received and not yet answered (long-poll waiters, while they wait). */
  readonly open: number;
}

/**
 * Server-side time of every request, from Node's own HTTP diagnostics channels: what the server
 * spends, without the load generator's share of the (shared) CPUs.
 */
function recordServerTimes(): { take(): number[]; open(): number } {
  const started = new WeakMap<IncomingMessage, bigint>();
  let ms: number[] = [];
  let open = 0;
  subscribe('http.server.request.start', (m) => {
    started.set((m as { request: IncomingMessage }).request, process.hrtime.bigint());
    open++;
  });
  subscribe('http.server.response.finish', (m) => {
    open--;
    const t0 = started.get((m as { request: IncomingMessage }).request);
    if (t0 !== undefined) ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
  return {
    open: () => open,
    take() {
      const out = ms;
      ms = [];
      return out;
    },
  };
}

const silent = { info: () => {}, warn: () => {}, error: () => {} };

async function main(): Promise<void> {
  const demo = (await import(new URL('../../../slack-bot/dist/src/demo.js', import.meta.url).href)) as { seedDemo: typeof SeedDemo };
  const gatehouse = await Gatehouse.open({ url: 'memory', watchMs: null });
  const seeded = await demo.seedDemo(gatehouse, REST_ACCOUNT);
  const config = ConfigSchema.parse({
    PORT: '0',
    HOST: '127.0.0.1',
    GATEHOUSE_STORE: 'memory',
    GATEHOUSE_ACCOUNT_ID: REST_ACCOUNT,
    GATEHOUSE_RATE_LIMIT: process.env['GATEHOUSE_RATE_LIMIT'] ?? '10000000',
  });
  const times = recordServerTimes();
  const server = await startServer(config, { gatehouse, logger: silent });
  process.on('message', (m: TimesRequest | MemoryRequest) => {
    if (m.type === 'times') process.send?.({ type: 'times', ms: times.take() } satisfies TimesReply);
    if (m.type === 'memory') {
      globalThis.gc?.();
      globalThis.gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      process.send?.({ type: 'memory', heapUsed, rss, open: times.open() } satisfies MemoryReply);
    }
  });
  const ready: ServerReady = { type: 'ready', url: server.url, keys: seeded.keys.map((k) => ({ userId: k.userId, secret: k.secret })) };
  process.send?.(ready);
  // The parent going away (or disconnecting on purpose) ends the server.
  process.once('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

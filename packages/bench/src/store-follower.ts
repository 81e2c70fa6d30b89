#!/usr/bin/env node
/**
 * Another instance of Gatehouse on the same store, in a process of its own: it opens the store
 * with the server's defaults (Redis polled every 250 ms, SQLite every second, PostgreSQL notified
 * by LISTEN/NOTIFY and polled every second as a fallback), loads the account and tells the parent
 * when each commit written elsewhere is applied here.
 */
import { Gatehouse } from '@gatehouse/core';

export interface FollowRequest {
  readonly type: 'follow';
  readonly url: string;
  readonly namespace: string;
  readonly accountId: string;
}
/** Loaded: the account's commit count here. */
export interface FollowingReply {
  readonly type: 'following';
  readonly seq: number;
}
/** A commit applied here; `at` is `performance.timeOrigin + performance.now()` (comparable across processes). */
export interface SeenReply {
  readonly type: 'seen';
  readonly seq: number;
  readonly at: number;
}

let gatehouse: Gatehouse | null = null;

async function follow(m: FollowRequest): Promise<void> {
  gatehouse = await Gatehouse.open({ url: m.url, namespace: m.namespace });
  const account = await gatehouse.account(m.accountId);
  account.onCommit((notice) => {
    const at = performance.timeOrigin + performance.now();
    const seq = notice.events[0]?.seq;
    if (seq !== undefined) process.send?.({ type: 'seen', seq, at } satisfies SeenReply);
  });
  process.send?.({ type: 'following', seq: account.seq } satisfies FollowingReply);
}

process.on('message', (m: FollowRequest) => {
  if (m.type !== 'follow') return;
  follow(m).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
process.once('disconnect', () => {
  void (gatehouse?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});

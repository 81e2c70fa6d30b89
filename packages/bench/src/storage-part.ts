import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Account, ApprovalType, Commit, EventBody, Version } from '@gatehouse/core';
import { FakeClock, Gatehouse, SYSTEM, SequentialIds, own } from '@gatehouse/core';
import { Rng } from '@gatehouse/core/testing';
import { NO_AUTO_SNAPSHOT } from './authz-gatehouse.js';
import type { BenchOptions, Table } from './harness.js';
import { liveHeap, nextMessage, nowNs, sleep, waitUntil } from './harness.js';
import type { Chain } from './log-writer.js';
import { appendCommits, sealCommit } from './log-writer.js';
import type { Summary } from './stats.js';
import { fmtBytes, fmtCount, fmtMs, fmtSummary, quantile, summarize } from './stats.js';
import type { Backend } from './store-backends.js';
import { postgresBackend, redisBackend, sqliteBackend } from './store-backends.js';
import type { FollowRequest, FollowingReply, SeenReply } from './store-follower.js';

/** What was measured on one store. */
export interface StoreMeasures {
  readonly store: Backend['kind'];
  readonly name: string;
  /** How another instance learns of a commit there. */
  readonly follows: string;
  /** Approvals appended one by one through `decideVersion` (each a durable commit). */
  readonly appendEventsPerSec: Summary;
  readonly appendPerEventMs: Summary;
  /** Bare single-row writes (INSERT; SET on Redis) on the same server and driver, one statement (and fsync) each: the limit. */
  readonly limitRowsPerSec: Summary;
  readonly appended: number;
  readonly logEvents: number;
  readonly fillMs: number;
  /** What the store holds after the fill, and what that counts (a file, a table, a server's memory). */
  readonly bytes: number;
  readonly bytesWhat: string;
  readonly snapshotBytes: number;
  readonly coldStartNoSnapshotMs: Summary;
  readonly coldStartSnapshotMs: Summary;
  readonly heapAfterLoad: number;
  /** Whether the whole hash chain verified after loading (quick mode only: it rereads the log). */
  readonly chainVerified: boolean | null;
  /** A commit acknowledged to its writer → applied by another instance in its own process. */
  readonly visibleMs: Summary & { p99: number };
  readonly visibleWrites: number;
  /** Writes the other instance applied (must be all). */
  readonly visibleSeen: number;
}

/** SQLite's measures at the top (as before PostgreSQL and Redis joined), every store's in `stores`. */
export interface StorageResult extends StoreMeasures {
  readonly fileBytes: number;
  readonly stores: readonly StoreMeasures[];
}

const ACCOUNT = 'TSTORE';
const ADMIN = { userId: 'UADMIN' };
const DEV = { userId: 'UDEV' };
const APPROVERS: readonly (readonly [string, string, ApprovalType])[] = [
  ['UQA1', 'qa', 'qa'],
  ['UQA2', 'qa', 'qa'],
  ['UQA3', 'qa', 'qa'],
  ['USEC1', 'security', 'security'],
  ['USEC2', 'security', 'security'],
  ['USRE1', 'sre', 'operational'],
  ['USRE2', 'sre', 'operational'],
  ['USRE3', 'sre', 'operational'],
];
/** One version per this many events; its approvals go back and forth in between. */
const EVENTS_PER_VERSION = 100;

/** Product, environments, a production rule, a developer and eight approvers, through the API. */
async function seed(account: Account): Promise<void> {
  await account.create({ name: 'Storage bench', admins: [{ userId: ADMIN.userId }] });
  await account.createTeam(ADMIN, { teamId: 'payments', name: 'Payments' });
  await account.createProduct(ADMIN, { productId: 'checkout', name: 'Checkout', teamId: 'payments' });
  await account.createEnvironment(ADMIN, { environmentId: 'production', name: 'production', production: true });
  await account.createRule(ADMIN, {
    environmentId: 'production',
    requirements: [
      { type: 'qa', quorum: 2 },
      { type: 'security', quorum: 1 },
      { type: 'operational', quorum: 1 },
    ],
  });
  await account.ensureUser({ userId: DEV.userId, name: 'Dev' });
  await account.assignRole(ADMIN, { subject: { type: 'user', id: DEV.userId }, roleId: 'developer', teamId: 'payments' });
  for (const [userId, role] of APPROVERS) {
    await account.ensureUser({ userId, name: userId });
    await account.assignRole(ADMIN, { subject: { type: 'user', id: userId }, roleId: role, teamId: 'payments' });
  }
}

/**
 * The rest of the log, sealed like the API would: a version per EVENTS_PER_VERSION events,
 * approval requested for production, then approvers deciding and changing their minds.
 */
function* fill(chain: Chain, from: number, to: number, startAt: number): Generator<Commit> {
  let version: Version | null = null;
  let n = 0;
  const latest = new Map<string, 'approve' | 'reject'>();
  for (let e = from; e < to; e++, n++) {
    const at = startAt + e * 1000;
    const k = n % EVENTS_PER_VERSION;
    let body: EventBody;
    if (k === 0 || version === null) {
      version = { id: `ver_b${String(e)}`, productId: 'checkout', version: `1.${String(e)}.0`, createdBy: DEV.userId, createdAt: at, releaseId: null, decisions: [], requestedFor: [], message: null };
      latest.clear();
      body = { type: 'version.created', data: { version } };
      yield sealCommit(chain, [body], { actor: DEV.userId, at });
      continue;
    }
    if (k === 1) {
      body = { type: 'version.approval_requested', data: { versionId: version.id, environmentId: 'production' } };
      yield sealCommit(chain, [body], { actor: DEV.userId, at });
      continue;
    }
    const [approverId, , approvalType] = APPROVERS[k % APPROVERS.length] as (typeof APPROVERS)[number];
    const previous = latest.get(approverId) ?? null;
    const decision = previous === 'approve' ? 'reject' : 'approve';
    latest.set(approverId, decision);
    body = { type: 'version.decided', data: { versionId: version.id, approvalType, decision, reason: decision === 'reject' ? 'found a regression' : null, approverId, previous } };
    yield sealCommit(chain, [body], { actor: approverId, at });
  }
}

const FOLLOWER = fileURLToPath(new URL('./store-follower.js', import.meta.url));

const open = (b: Backend) => Gatehouse.open({ url: b.url, namespace: b.namespace, clock: new FakeClock(), ids: new SequentialIds(), snapshotEvery: NO_AUTO_SNAPSHOT, watchMs: null });

/** An approval that changes something: the approver's opposite of their latest decision on the version. */
function flip(account: Account, versionId: string, call: number): Parameters<Account['decideVersion']>[1] & { approverId: string } {
  const [approverId, , approvalType] = APPROVERS[call % APPROVERS.length] as (typeof APPROVERS)[number];
  const latest = own(account.view.versions, versionId)?.decisions.filter((d) => d.approverId === approverId).at(-1);
  const reject = latest?.decision === 'approve';
  return { approverId, versionId, approvalType, decision: reject ? 'reject' : 'approve', reason: reject ? 'found a regression' : null };
}

/**
 * The delay until another instance sees a commit: a follower process (store-follower.ts) loads
 * the account, then this process appends approvals one at a time, each after a random pause (so
 * a commit falls anywhere in the follower's polling interval), and waits until the follower has
 * applied it.
 */
async function visibility(b: Backend, writes: number): Promise<{ ms: number[]; seen: number }> {
  const gh = await open(b);
  const follower = fork(FOLLOWER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  try {
    const account = await gh.account(ACCOUNT);
    const seenAt = new Map<number, number>();
    follower.on('message', (m: SeenReply) => {
      if (m.type === 'seen') seenAt.set(m.seq, m.at);
    });
    const loaded = nextMessage<FollowingReply>(follower, 'following');
    follower.send({ type: 'follow', url: b.url, namespace: b.namespace, accountId: ACCOUNT } satisfies FollowRequest);
    if ((await loaded).seq !== account.seq) throw new Error(`bench: the follower loaded ${String((await loaded).seq)} commits, the writer has ${String(account.seq)}`);
    const version = account.findVersion('checkout', '0.9.0');
    if (!version) throw new Error('bench: no version 0.9.0 to approve');
    const rng = new Rng(0x5107);
    const ms: number[] = [];
    for (let i = 0; i < writes; i++) {
      await sleep(rng.next() * 1000);
      const { approverId, ...input } = flip(account, version.id, i);
      await account.decideVersion({ userId: approverId }, input);
      const acked = performance.timeOrigin + performance.now();
      const seq = account.seq;
      if (await waitUntil(() => seenAt.has(seq), Date.now() + 10_000)) ms.push((seenAt.get(seq) ?? Number.NaN) - acked);
    }
    return { ms, seen: ms.length };
  } finally {
    if (follower.connected) follower.disconnect();
    await new Promise((resolve) => (follower.exitCode === null ? follower.once('exit', resolve) : resolve(null)));
    await gh.close();
  }
}

async function measureStore(opts: BenchOptions, b: Backend): Promise<StoreMeasures> {
  const total = opts.quick ? 10_000 : 1_000_000;
  const appendPasses = 3;
  const perPass = opts.quick ? 30 : 300;
  const tag = `storage, ${b.name}`;
  opts.log(`${tag}: seeding an account (${b.url.replace(/\/\/[^@/]*@/, '//')})`);
  const gh = await open(b);
  const account = await gh.account(ACCOUNT);
  await seed(account);

  // Appending approvals: each decideVersion is one validated, hash-chained, durable commit.
  const { version } = await account.createVersion(DEV, { productId: 'checkout', version: '0.9.0' });
  await account.requestApproval(DEV, { versionId: version.id, environmentId: 'production' });
  opts.log(`${tag}: appending approvals through decideVersion, ${String(appendPasses)} × ${String(perPass)}`);
  const rates: number[] = [];
  const perEvent: number[] = [];
  let appended = 0;
  let call = 0;
  // The limit, in turn with each pass: the same server and driver, one bare write per row
  // (autocommit: one fsync each, like a commit), rows the size of an approval's commit.
  const limit = await b.limit();
  const row = JSON.stringify({ value: (await gh.store.readCommits(ACCOUNT, account.seq - 1))[0], expires: null });
  const limitRates: number[] = [];
  let limitRow = 0;
  for (let p = 0; p < appendPasses; p++) {
    const l0 = nowNs();
    for (let i = 0; i < perPass; i++) await limit.write(`row:${String(limitRow++)}`, row);
    limitRates.push(perPass / ((nowNs() - l0) / 1e9));
    const before = account.seq;
    const t0 = nowNs();
    for (let i = 0; i < perPass; i++, call++) {
      // Every approver flips each round, so every call records an event (a repeated decision records nothing).
      const { approverId, ...input } = flip(account, version.id, call);
      await account.decideVersion({ userId: approverId }, input);
    }
    const s = (nowNs() - t0) / 1e9;
    const events = account.seq - before;
    appended += events;
    rates.push(events / s);
    perEvent.push((s * 1000) / events);
  }
  await limit.close();

  // The bulk of the log: sealed like the API's commits, written in bulk (see appendCommits).
  const chain: Chain = { seq: account.seq, lastHash: account.view.lastHash };
  const already = account.seq;
  opts.log(`${tag}: filling the log to ${fmtCount(total)} events`);
  const t0 = nowNs();
  await appendCommits(gh.store, ACCOUNT, fill(chain, already, total, account.view.createdAt + already * 1000), { url: b.url });
  const fillMs = (nowNs() - t0) / 1e6;
  await gh.close();
  const logEvents = chain.seq;

  const coldStart = async (): Promise<{ ms: number; gh: Gatehouse; account: Account }> => {
    const s = nowNs();
    const g = await open(b);
    const a = await g.account(ACCOUNT);
    const ms = (nowNs() - s) / 1e6;
    if (a.seq !== logEvents) throw new Error(`bench: cold start loaded ${String(a.seq)} commits, the log has ${String(logEvents)}`);
    return { ms, gh: g, account: a };
  };

  opts.log(`${tag}: cold start without a snapshot (${fmtCount(logEvents)} events)`);
  const noSnap: number[] = [];
  let chainVerified: boolean | null = null;
  const passesNoSnap = 1;
  for (let p = 0; p < passesNoSnap; p++) {
    liveHeap();
    const c = await coldStart();
    noSnap.push(c.ms);
    if (p === passesNoSnap - 1) {
      if (opts.quick) chainVerified = (await c.account.verifyAudit(SYSTEM)).ok;
      await c.account.snapshot();
    }
    await c.gh.close();
  }

  opts.log(`${tag}: cold start from the snapshot`);
  const withSnap: number[] = [];
  let heapAfterLoad = 0;
  let snapshotBytes = 0;
  for (let p = 0; p < (opts.quick ? 2 : 3); p++) {
    const h0 = liveHeap();
    const c = await coldStart();
    withSnap.push(c.ms);
    // The first pass: nothing else loaded is alive yet.
    if (p === 0) heapAfterLoad = liveHeap() - h0;
    snapshotBytes = JSON.stringify(c.account.view).length;
    await c.gh.close();
  }
  const size = await b.size();

  const writes = opts.quick ? 5 : 30;
  opts.log(`${tag}: ${String(writes)} commits, each until another instance (${b.follows}) applied it`);
  const seen = await visibility(b, writes);
  return {
    store: b.kind,
    name: b.name,
    follows: b.follows,
    appendEventsPerSec: summarize(rates),
    appendPerEventMs: summarize(perEvent),
    limitRowsPerSec: summarize(limitRates),
    appended,
    logEvents,
    fillMs,
    bytes: size.bytes,
    bytesWhat: size.what,
    snapshotBytes,
    coldStartNoSnapshotMs: summarize(noSnap),
    coldStartSnapshotMs: summarize(withSnap),
    heapAfterLoad,
    chainVerified,
    visibleMs: { ...summarize(seen.ms), p99: quantile(seen.ms, 0.99) },
    visibleWrites: writes,
    visibleSeen: seen.seen,
  };
}

/** SQLite, Redis and PostgreSQL in turn, each alone on the machine, each server stopped after. */
export async function runStorage(opts: BenchOptions): Promise<{ table: Table; result: StorageResult }> {
  const stores: StoreMeasures[] = [];
  for (const start of [sqliteBackend, redisBackend, postgresBackend]) {
    const b = await start();
    try {
      stores.push(await measureStore(opts, b));
    } finally {
      await b.stop();
    }
  }
  const sqlite = stores[0] as StoreMeasures;
  const result: StorageResult = { ...sqlite, fileBytes: sqlite.bytes, stores };
  return { table: storageTable(result), result };
}

export function storageTable(r: StorageResult): Table {
  const target = 2000;
  const each = (f: (s: StoreMeasures) => string) => r.stores.map(f);
  const n = fmtCount(r.logEvents);
  return {
    title: `4. Storage (${r.stores.map((s) => s.name).join(', ')})`,
    columns: ['measure (median, min–max)', ...r.stores.map((s) => s.name), 'details'],
    rows: [
      ['append approvals (`decideVersion`, one commit each), events/s', ...each((s) => fmtSummary(s.appendEventsPerSec, fmtCount)), `per event: ${r.stores.map((s) => `${s.name} ${fmtMs(s.appendPerEventMs.median)}`).join(', ')}; ${fmtCount(r.appended)} appended on each, one at a time`],
      ['limit: a bare write of one row of the same size, autocommit, rows/s', ...each((s) => fmtSummary(s.limitRowsPerSec, fmtCount)), 'same server, driver and settings: SQLite `INSERT` (sqlite3 via @keyv/sqlite), Redis `SET` (node-redis), PostgreSQL `INSERT` (pg); passes taken in turn with the appends'],
      [`cold start, ${n} events, no snapshot`, ...each((s) => fmtSummary(s.coldStartNoSnapshotMs, fmtMs)), 'Gatehouse.open + account(): reads, validates and applies every commit'],
      [`cold start, ${n} events, from snapshot`, ...each((s) => fmtSummary(s.coldStartSnapshotMs, fmtMs)), `snapshot state ${fmtBytes(r.snapshotBytes)} as JSON; heap after load ${r.stores.map((s) => `${s.name} ${fmtBytes(s.heapAfterLoad)}`).join(', ')}`],
      ['another instance applies a commit: p50 / p99 after the writer’s acknowledgement', ...each((s) => `${fmtMs(s.visibleMs.median)} / ${fmtMs(s.visibleMs.p99)}`), r.stores.map((s) => `${s.name}: ${s.follows}, ${String(s.visibleSeen)} of ${String(s.visibleWrites)} seen`).join('; ')],
      [`stored, ${n} events`, ...each((s) => fmtBytes(s.bytes)), r.stores.map((s) => `${s.name}: ${s.bytesWhat}`).join('; ')],
    ],
    notes: [
      `SQLite: a temporary file (WAL, synchronous FULL as the server runs it). Redis: a private redis-server (persistence off, as the tests run it: appends are not fsynced). PostgreSQL: a private cluster (initdb, default settings: fsync and synchronous_commit on); both started as the core's tests start them (or GATEHOUSE_TEST_REDIS_URL / GATEHOUSE_TEST_POSTGRES_URL), on loopback, one store at a time. On each, the log was seeded through the Account API, then filled to ${n} events with commits sealed like the API's (hash chain, one event per commit: a version every ${String(EVENTS_PER_VERSION)} events, its approval requested, approvers deciding and changing their minds) written as exactly the rows the store's \`tryAppend\` writes (the first through it, the rest in multi-row INSERTs / MSETNX of 500, the head moved to the last, the last read back through the store), in ${r.stores.map((s) => `${s.name} ${fmtMs(s.fillMs)}`).join(', ')}.${r.chainVerified === null ? '' : ` Hash chain verified after loading: ${r.stores.map((s) => `${s.name} ${s.chainVerified ? 'yes' : 'NO'}`).join(', ')}.`}`,
      'Another instance: a second Gatehouse in its own process on the same store, with the server’s defaults (SQLite and Redis poll the log; PostgreSQL is notified); the writer appends one approval at a time after a random pause of up to 1 s (so commits land anywhere in a polling interval) and waits until the other has applied it; the time runs from the append acknowledged to the writer to the commit applied there (two processes’ clocks, both from the epoch).',
      ...r.stores.map((s) => `- ${s.name}: cold start with a snapshot ≤ 2 s: ${fmtMs(s.coldStartSnapshotMs.median)} — ${s.coldStartSnapshotMs.median <= target ? '✅ met' : '❌ not met'}`),
    ],
  };
}

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, ApprovalType, Commit, EventBody, Version } from '@gatehouse/core';
import { FakeClock, Gatehouse, SYSTEM, SequentialIds } from '@gatehouse/core';
import KeyvSqlite from '@keyv/sqlite';
import { NO_AUTO_SNAPSHOT } from './authz-gatehouse.js';
import type { BenchOptions, Table } from './harness.js';
import { liveHeap, nowNs } from './harness.js';
import type { Chain } from './log-writer.js';
import { appendCommits, sealCommit } from './log-writer.js';
import type { Summary } from './stats.js';
import { fmtBytes, fmtCount, fmtMs, fmtSummary, summarize } from './stats.js';

export interface StorageResult {
  /** Approvals appended one by one through `decideVersion` on SQLite (each a durable commit). */
  readonly appendEventsPerSec: Summary;
  readonly appendPerEventMs: Summary;
  /** Bare single-row INSERTs into the same SQLite file, one statement (and fsync) each: the disk's limit. */
  readonly limitRowsPerSec: Summary;
  readonly appended: number;
  readonly logEvents: number;
  readonly fillMs: number;
  readonly fileBytes: number;
  readonly snapshotBytes: number;
  readonly coldStartNoSnapshotMs: Summary;
  readonly coldStartSnapshotMs: Summary;
  readonly heapAfterLoad: number;
  /** Whether the whole hash chain verified after loading (quick mode only: it rereads the log). */
  readonly chainVerified: boolean | null;
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

const open = (url: string) => Gatehouse.open({ url, clock: new FakeClock(), ids: new SequentialIds(), snapshotEvery: NO_AUTO_SNAPSHOT, watchMs: null });

export async function runStorage(opts: BenchOptions): Promise<{ table: Table; result: StorageResult }> {
  const total = opts.quick ? 10_000 : 1_000_000;
  const appendPasses = 3;
  const perPass = opts.quick ? 30 : 300;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const file = join(dir, 'store.sqlite');
  const url = `sqlite://${file}`;
  try {
    opts.log(`storage: seeding an account on SQLite (${file})`);
    const gh = await open(url);
    const account = await gh.account(ACCOUNT);
    await seed(account);

    // Appending approvals: each decideVersion is one validated, hash-chained, fsynced commit.
    const { version } = await account.createVersion(DEV, { productId: 'checkout', version: '0.9.0' });
    await account.requestApproval(DEV, { versionId: version.id, environmentId: 'production' });
    opts.log(`storage: appending approvals through decideVersion, ${String(appendPasses)} × ${String(perPass)}`);
    const rates: number[] = [];
    const perEvent: number[] = [];
    let appended = 0;
    let call = 0;
    // The limit, in turn with each pass: the same file and driver, one bare INSERT per row
    // (autocommit: one fsync each, like a commit), rows the size of an approval's commit.
    const limit = new KeyvSqlite({ uri: url, busyTimeout: 10_000, table: 'bench_limit' });
    const row = JSON.stringify({ value: (await gh.store.readCommits(ACCOUNT, account.seq - 1))[0], expires: null });
    const limitRates: number[] = [];
    let limitRow = 0;
    for (let p = 0; p < appendPasses; p++) {
      const l0 = nowNs();
      for (let i = 0; i < perPass; i++) await limit.query('INSERT INTO bench_limit (key, value) VALUES (?, ?)', `row:${String(limitRow++)}`, row);
      limitRates.push(perPass / ((nowNs() - l0) / 1e9));
      const before = account.seq;
      const t0 = nowNs();
      for (let i = 0; i < perPass; i++, call++) {
        const [approverId, , approvalType] = APPROVERS[call % APPROVERS.length] as (typeof APPROVERS)[number];
        // Every approver flips each round, so every call records an event (a repeated decision records nothing).
        const reject = Math.floor(call / APPROVERS.length) % 2 === 1;
        await account.decideVersion({ userId: approverId }, { versionId: version.id, approvalType, decision: reject ? 'reject' : 'approve', reason: reject ? 'found a regression' : null });
      }
      const s = (nowNs() - t0) / 1e9;
      const events = account.seq - before;
      appended += events;
      rates.push(events / s);
      perEvent.push((s * 1000) / events);
    }
    await limit.disconnect();

    // The bulk of the log: sealed like the API's commits, written in bulk (see appendCommits).
    const chain: Chain = { seq: account.seq, lastHash: account.view.lastHash };
    const already = account.seq;
    opts.log(`storage: filling the log to ${fmtCount(total)} events`);
    const t0 = nowNs();
    await appendCommits(gh.store, ACCOUNT, fill(chain, already, total, account.view.createdAt + already * 1000));
    const fillMs = (nowNs() - t0) / 1e6;
    await gh.close();
    const logEvents = chain.seq;

    const coldStart = async (): Promise<{ ms: number; gh: Gatehouse; account: Account }> => {
      const s = nowNs();
      const g = await open(url);
      const a = await g.account(ACCOUNT);
      const ms = (nowNs() - s) / 1e6;
      if (a.seq !== logEvents) throw new Error(`bench: cold start loaded ${String(a.seq)} commits, the log has ${String(logEvents)}`);
      return { ms, gh: g, account: a };
    };

    opts.log(`storage: cold start without a snapshot (${fmtCount(logEvents)} events)`);
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

    opts.log('storage: cold start from the snapshot');
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
    const fileBytes = ['', '-wal'].reduce((s, ext) => {
      try {
        return s + statSync(file + ext).size;
      } catch {
        return s;
      }
    }, 0);
    const result: StorageResult = {
      appendEventsPerSec: summarize(rates),
      appendPerEventMs: summarize(perEvent),
      limitRowsPerSec: summarize(limitRates),
      appended,
      logEvents,
      fillMs,
      fileBytes,
      snapshotBytes,
      coldStartNoSnapshotMs: summarize(noSnap),
      coldStartSnapshotMs: summarize(withSnap),
      heapAfterLoad,
      chainVerified,
    };
    return { table: storageTable(result), result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function storageTable(r: StorageResult): Table {
  const target = 2000;
  return {
    title: '4. Storage (SQLite)',
    columns: ['measure', 'result (median, min–max)', 'details'],
    rows: [
      ['append approvals (`decideVersion`, one commit each)', `${fmtSummary(r.appendEventsPerSec, fmtCount)} events/s`, `${fmtSummary(r.appendPerEventMs, fmtMs)} per event, ${fmtCount(r.appended)} appended, one at a time`],
      ['limit: bare `INSERT` of one row of the same size, autocommit', `${fmtSummary(r.limitRowsPerSec, fmtCount)} rows/s`, 'same file, driver (sqlite3 via @keyv/sqlite) and settings; passes taken in turn with the appends'],
      [`cold start, ${fmtCount(r.logEvents)} events, no snapshot`, fmtSummary(r.coldStartNoSnapshotMs, fmtMs), 'Gatehouse.open + account(): reads, validates and applies every commit'],
      [`cold start, ${fmtCount(r.logEvents)} events, from snapshot`, fmtSummary(r.coldStartSnapshotMs, fmtMs), `snapshot state ${fmtBytes(r.snapshotBytes)} as JSON; heap after load ${fmtBytes(r.heapAfterLoad)}`],
    ],
    notes: [
      `A temporary SQLite file (WAL, synchronous FULL as the server runs it). The log was seeded through the Account API, then filled to ${fmtCount(r.logEvents)} events with commits sealed like the API's (hash chain, one event per commit: a version every ${String(EVENTS_PER_VERSION)} events, its approval requested, approvers deciding and changing their minds) written as exactly the rows the store's \`tryAppend\` writes (the first through it, the rest in multi-row INSERTs in transactions, the last read back through the store), in ${fmtMs(r.fillMs)}; file ${fmtBytes(r.fileBytes)}.${r.chainVerified === null ? '' : ` Hash chain verified after loading: ${r.chainVerified ? 'yes' : 'NO'}.`}`,
      `- cold start with a snapshot ≤ 2 s: ${fmtMs(r.coldStartSnapshotMs.median)} — ${r.coldStartSnapshotMs.median <= target ? '✅ met' : '❌ not met'}`,
    ],
  };
}

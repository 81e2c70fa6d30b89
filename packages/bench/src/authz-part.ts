import type { Account } from '@gatehouse/core';
import { AuthzIndex } from '@gatehouse/core';
import { Rng } from '@gatehouse/core/testing';
import type { Peer, RoleOp } from './authz-peers.js';
import { barePeer, casbinPeer, caslPeer, gatehouseAccountPeer, gatehouseIndexPeer } from './authz-peers.js';
import type { GatehouseWorld } from './authz-gatehouse.js';
import { ACCOUNT, buildGatehouseWorld, openAccount } from './authz-gatehouse.js';
import type { Queries, WorkloadShape, WorldPlan } from './authz-workload.js';
import { CUSTOM_ROLES, effective, planQueries, planWorld } from './authz-workload.js';
import type { BenchOptions, Table } from './harness.js';
import { liveHeap, nowNs, tick, timeMs } from './harness.js';
import type { Summary } from './stats.js';
import { fmtBytes, fmtCount, fmtMs, fmtNs, fmtPct, fmtSummary, quantile, summarize } from './stats.js';

export const PEERS = ['gatehouse', 'gatehouse-index', 'casbin-domains', 'casbin-global', 'casl', 'bare'] as const;
export type PeerId = (typeof PEERS)[number];

const PEER_LABEL: Record<PeerId, string> = {
  gatehouse: 'Gatehouse `account.can`',
  'gatehouse-index': 'Gatehouse `AuthzIndex.can` (index alone)',
  'casbin-domains': 'casbin · RBAC with domains (global grant = one line per team)',
  'casbin-global': 'casbin · domains + global roles (`*` domain)',
  casl: '@casl/ability (one Ability per user)',
  bare: '`Map.get` + bit test (practical limit)',
};

export interface PeerResult {
  readonly id: PeerId;
  readonly label: string;
  /** Queries checked (a prefix of the stream for the slow peers) and how many differ from the reference. */
  readonly checked: number;
  readonly disagreements: number;
  readonly allowed: number;
  readonly checksPerSec: Summary;
  readonly p50Ns: Summary;
  readonly p99Ns: Summary;
  readonly loadMs: Summary;
  /** Extra load figures (Gatehouse: replay from the log without a snapshot). */
  readonly loadNote: string | null;
  readonly heapBytes: number;
  readonly roleChangeNs: { p50: number; p99: number; n: number; wrong: number };
  /** Why the peer was not measured at this size (null: it was). */
  readonly skipped: string | null;
}

export interface SizeResult {
  readonly users: number;
  readonly teams: number;
  readonly queries: number;
  readonly allowedRate: number;
  readonly crossTeamRate: number;
  readonly globalRate: number;
  readonly commits: number;
  readonly events: number;
  readonly buildMs: number;
  readonly peers: readonly PeerResult[];
}

export interface AuthzResult {
  readonly sizes: readonly SizeResult[];
}

interface Tuning {
  passes: number;
  /** Time one timed pass of a peer may take; slow peers check a prefix of the query stream. */
  passBudgetNs: number;
  roleOps: number;
  roleBudgetNs: number;
  loadPasses: number;
}

/** casbin's enforcer loads ~10–40 µs per policy line: beyond this the run would outgrow its time box. */
const MAX_CASBIN_LINES = 400_000;

const tuning = (quick: boolean): Tuning =>
  quick ? { passes: 3, passBudgetNs: 40e6, roleOps: 40, roleBudgetNs: 100e6, loadPasses: 1 } : { passes: 5, passBudgetNs: 1e9, roleOps: 400, roleBudgetNs: 2e9, loadPasses: 3 };

// ---------------------------------------------------------------- measuring

interface CheckStats {
  checked: number;
  allowed: number;
  answers: Uint8Array;
  rate: Summary;
  p50: Summary;
  p99: Summary;
}

/** A peer's sample, checked once untimed (answers recorded, JIT warm), ready for timed passes. */
interface Prepared {
  peer: Peer;
  checked: number;
  batch: number;
  allowed: number;
  answers: Uint8Array;
  rates: number[];
  p50s: number[];
  p99s: number[];
}

/**
 * Sizes a peer's sample (slow peers check a prefix of the stream that fits the pass budget; `full`
 * peers check all of it) and its batches (about 50 µs, at most 1000 checks: a timer per call would
 * cost more than a check), then checks it once untimed.
 */
function prepareChecks(peer: Peer, n: number, t: Tuning, full: boolean): Prepared {
  const probe = Math.min(n, 2000);
  const t0 = nowNs();
  peer.run(0, probe, null);
  const perCheck = Math.max(1, (nowNs() - t0) / probe);
  const checked = full ? n : Math.min(n, Math.max(probe, Math.floor(t.passBudgetNs / perCheck)));
  const batch = Math.max(1, Math.min(1000, Math.ceil(50_000 / perCheck)));
  const answers = new Uint8Array(checked);
  const allowed = peer.run(0, checked, answers);
  return { peer, checked, batch, allowed, answers, rates: [], p50s: [], p99s: [] };
}

/** One timed pass over the sample, batch by batch; p50/p99 are quantiles of the per-check time of the batches. */
function timedPass(p: Prepared): void {
  const nb = Math.ceil(p.checked / p.batch);
  const per = new Array<number>(nb);
  let total = 0;
  let sink = 0;
  for (let b = 0; b < nb; b++) {
    const from = b * p.batch;
    const to = Math.min(p.checked, from + p.batch);
    const t0 = nowNs();
    sink += p.peer.run(from, to, null);
    const dt = nowNs() - t0;
    total += dt;
    per[b] = dt / (to - from);
  }
  if (sink !== p.allowed) throw new Error(`bench: a timed pass allowed ${String(sink)} checks, the first pass ${String(p.allowed)}`);
  p.rates.push(p.checked / (total / 1e9));
  p.p50s.push(quantile(per, 0.5));
  p.p99s.push(quantile(per, 0.99));
}

/**
 * Timed passes of several peers taken in turn (A B C A B C …), so a change in what else the
 * machine is doing lands on all of them alike rather than on whichever ran during it.
 */
function measureChecks(prepared: readonly Prepared[], t: Tuning): CheckStats[] {
  for (let pass = 0; pass < t.passes; pass++) for (const p of prepared) timedPass(p);
  return prepared.map((p) => ({ checked: p.checked, allowed: p.allowed, answers: p.answers, rate: summarize(p.rates), p50: summarize(p.p50s), p99: summarize(p.p99s) }));
}

function countDisagreements(a: Uint8Array, reference: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== reference[i]) d++;
  return d;
}

/** Role changes that make a difference: a role in a team the user is not in, checked on a permission it adds. */
function planRoleOps(plan: WorldPlan, n: number): RoleOp[] {
  const rng = new Rng(plan.seed + 2);
  const teamRoles = [...plan.roles.values()].filter((r) => !r.custom || r.scope === 'team').map((r) => r.key);
  const ops: RoleOp[] = [];
  const used = new Set<string>();
  for (let tries = 0; ops.length < n && tries < n * 50; tries++) {
    const user = rng.pick(plan.users);
    const team = rng.pick(plan.teams);
    const role = rng.pick(teamRoles);
    if (user.teams.includes(team) || used.has(user.id)) continue;
    const eff = effective(plan, user, team);
    const gain = [...(plan.roles.get(role)?.closed ?? [])].filter((p) => !eff.has(p));
    if (gain.length === 0) continue;
    used.add(user.id);
    ops.push({ user: user.id, role, team, perm: rng.pick(gain) });
  }
  return ops;
}

/**
 * Each op: grant + the next check (must allow), then revoke + the next check (must deny); each
 * timed. Slow peers stop after `budgetNs` (at least 20 ops).
 */
async function measureRoleChanges(peer: Peer, ops: readonly RoleOp[], budgetNs: number): Promise<PeerResult['roleChangeNs']> {
  const times: number[] = [];
  let wrong = 0;
  const warm = Math.min(10, Math.floor(ops.length / 4));
  const start = nowNs();
  for (const [i, op] of ops.entries()) {
    if (i >= 20 && nowNs() - start > budgetNs) break;
    let t0 = nowNs();
    const g = peer.grant(op);
    if (g) await g;
    const after = peer.check(op.user, op.perm, op.team);
    const tg = nowNs() - t0;
    t0 = nowNs();
    const r = peer.revoke(op);
    if (r) await r;
    const back = peer.check(op.user, op.perm, op.team);
    const tr = nowNs() - t0;
    if (!after || back) wrong++;
    if (i >= warm) times.push(tg, tr);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), n: times.length, wrong };
}

/**
 * Builds a peer `passes` times, dropping the previous one first. Heap is the live-heap growth
 * over the last build, after full collections (the first build also pays one-time costs: code,
 * caches, module state).
 */
async function measureLoad(build: () => Promise<void> | void, passes: number, drop: () => void): Promise<{ ms: Summary; heap: number }> {
  const ms: number[] = [];
  let heap = 0;
  for (let p = 0; p < passes; p++) {
    drop();
    const h0 = liveHeap();
    const t0 = nowNs();
    await build();
    ms.push((nowNs() - t0) / 1e6);
    heap = liveHeap() - h0;
    // A slow build (casbin at 100k users) is timed once.
    if (ms[0] !== undefined && ms[0] > 5000) break;
  }
  return { ms: summarize(ms), heap };
}

// ---------------------------------------------------------------- one size

async function measureSize(shape: WorkloadShape, t: Tuning, opts: BenchOptions): Promise<SizeResult> {
  const label = `${fmtCount(shape.users)} users`;
  opts.log(`authz ${label}: planning ${fmtCount(shape.queries)} queries`);
  const plan = planWorld(shape);
  const q: Queries = planQueries(plan, shape.queries);
  const ops = planRoleOps(plan, t.roleOps);
  const peerResult = (id: PeerId, c: CheckStats, reference: Uint8Array, load: { ms: Summary; heap: number }, loadNote: string | null, rc: PeerResult['roleChangeNs']): PeerResult => ({
    id,
    label: PEER_LABEL[id],
    checked: c.checked,
    disagreements: countDisagreements(c.answers, reference),
    allowed: c.allowed,
    checksPerSec: c.rate,
    p50Ns: c.p50,
    p99Ns: c.p99,
    loadMs: load.ms,
    loadNote,
    heapBytes: load.heap,
    roleChangeNs: rc,
    skipped: null,
  });
  const skippedResult = (id: PeerId, why: string): PeerResult => {
    const none = summarize([Number.NaN]);
    return { id, label: PEER_LABEL[id], checked: 0, disagreements: 0, allowed: 0, checksPerSec: none, p50Ns: none, p99Ns: none, loadMs: none, loadNote: null, heapBytes: Number.NaN, roleChangeNs: { p50: Number.NaN, p99: Number.NaN, n: 0, wrong: 0 }, skipped: why };
  };

  // Gatehouse: build the log, then load it back the ways a server does.
  opts.log(`authz ${label}: writing the account's log`);
  const built = await timeMs(() => buildGatehouseWorld(plan));
  const world: GatehouseWorld = built.value;
  opts.log(`authz ${label}: ${fmtCount(world.commits)} commits in ${fmtMs(built.ms)}; loading from the log (no snapshot)`);
  const slot: { account: Account | null } = { account: null };
  const loaded = (): Account => {
    if (!slot.account) throw new Error('bench: the account did not load');
    return slot.account;
  };
  const replayMs = (
    await timeMs(async () => {
      slot.account = await openAccount(world);
    })
  ).ms;
  await loaded().snapshot();
  const withLogged = liveHeap();
  slot.account = null;
  const replayHeap = withLogged - liveHeap();
  opts.log(`authz ${label}: loading from the snapshot`);
  const snap = await measureLoad(
    async () => {
      slot.account = await openAccount(world);
    },
    t.loadPasses,
    () => {
      slot.account = null;
    },
  );
  const acc = loaded();
  await tick();
  // Where opening from the snapshot goes: reading it back (deserialise + validate), then compiling.
  const readSnap = await measureLoad(
    async () => {
      await world.store.loadSnapshot(ACCOUNT);
    },
    t.loadPasses,
    () => undefined,
  );

  // The index alone, compiled from the account's state; then on a private copy, so its role
  // changes leave the account's state alone.
  opts.log(`authz ${label}: Gatehouse AuthzIndex`);
  const held: { index: AuthzIndex | null } = { index: null };
  const compile = await measureLoad(
    () => {
      held.index = new AuthzIndex(acc.view, () => world.clock.now());
    },
    t.loadPasses + 2,
    () => {
      held.index = null;
    },
  );
  held.index = null;
  const state = structuredClone(acc.view);
  const gPeer = gatehouseAccountPeer(acc, q, world.roleIds);
  const iPeer = gatehouseIndexPeer(new AuthzIndex(state, () => world.clock.now()), state, q, world.roleIds);
  opts.log(`authz ${label}: bare Map.get + bit test`);
  const bare = barePeer(plan, q);
  const bareLoad = await measureLoad(bare.load, t.loadPasses, bare.drop);

  // Gatehouse and the limit: passes interleaved, every query; the plan is the reference.
  opts.log(`authz ${label}: checks, Gatehouse and the limit in turn`);
  const [gChecks, iChecks, bChecks] = measureChecks(
    [prepareChecks(gPeer, q.n, t, true), prepareChecks(iPeer, q.n, t, true), prepareChecks(bare.peer, q.n, t, true)],
    t,
  ) as [CheckStats, CheckStats, CheckStats];
  const gAnswers = gChecks.answers;
  const results = new Map<PeerId, PeerResult>();
  results.set('gatehouse', peerResult('gatehouse', gChecks, q.intended, { ms: snap.ms, heap: replayHeap }, `snapshot ${fmtSummary(snap.ms, fmtMs)} (reading it back ${fmtMs(readSnap.ms.median)}) · log replay ${fmtMs(replayMs)}`, await measureRoleChanges(gPeer, ops, t.roleBudgetNs)));
  results.set('gatehouse-index', peerResult('gatehouse-index', iChecks, gAnswers, compile, null, await measureRoleChanges(iPeer, ops, t.roleBudgetNs)));
  results.set('bare', peerResult('bare', bChecks, gAnswers, bareLoad, null, await measureRoleChanges(bare.peer, ops, t.roleBudgetNs)));

  // The slow peers one at a time, each on the prefix of the stream its pass budget allows.
  const others: { id: PeerId; make: () => { peer: Peer; load: () => Promise<void> | void; drop: () => void; policyLines: number } }[] = [
    { id: 'casbin-domains', make: () => casbinPeer(plan, q, 'domains') },
    { id: 'casbin-global', make: () => casbinPeer(plan, q, 'global') },
    { id: 'casl', make: () => ({ ...caslPeer(plan, q), policyLines: 0 }) },
  ];
  for (const o of others) {
    opts.log(`authz ${label}: ${o.id}`);
    const made = o.make();
    if (made.policyLines > MAX_CASBIN_LINES) {
      results.set(o.id, skippedResult(o.id, `${fmtCount(made.policyLines)} policy lines (every global grant repeated in ${String(plan.teams.length)} teams): loading takes minutes and GBs, measured at the smaller sizes`));
      continue;
    }
    const load = await measureLoad(made.load, t.loadPasses, made.drop);
    const [c] = measureChecks([prepareChecks(made.peer, q.n, t, false)], t) as [CheckStats];
    results.set(o.id, peerResult(o.id, c, gAnswers, load, null, await measureRoleChanges(made.peer, ops, t.roleBudgetNs)));
    made.drop();
    await tick();
  }

  let allowed = 0;
  for (const a of gAnswers) allowed += a;
  return {
    users: shape.users,
    teams: shape.teams,
    queries: q.n,
    allowedRate: allowed / q.n,
    crossTeamRate: q.crossTeam / q.n,
    globalRate: q.global / q.n,
    commits: world.commits,
    events: world.events,
    buildMs: built.ms,
    peers: PEERS.map((id) => {
      const r = results.get(id);
      if (!r) throw new Error(`bench: peer ${id} was not measured`);
      return r;
    }),
  };
}

// ---------------------------------------------------------------- the part

const TARGET = { checksPerSec: 10e6, heapBytes: 5 * 1024 * 1024, loadMs: 20, roleChangeNs: 5000 };

function targets(r: SizeResult | undefined): string[] {
  if (!r) return [];
  const g = r.peers.find((p) => p.id === 'gatehouse');
  const i = r.peers.find((p) => p.id === 'gatehouse-index');
  if (!g || !i) return [];
  const mark = (ok: boolean) => (ok ? '✅ met' : '❌ not met');
  return [
    `Targets for Gatehouse at ${fmtCount(r.users)} users:`,
    `- ≥ 10M checks/s: ${fmtCount(g.checksPerSec.median)}/s through \`account.can\` — ${mark(g.checksPerSec.median >= TARGET.checksPerSec)}; ${fmtCount(i.checksPerSec.median)}/s on the index alone`,
    `- heap ≤ 5 MB (the index): ${fmtBytes(i.heapBytes)} — ${mark(i.heapBytes <= TARGET.heapBytes)} (the whole account, state included: ${fmtBytes(g.heapBytes)})`,
    `- load ≤ 20 ms: index compile ${fmtMs(i.loadMs.median)} — ${mark(i.loadMs.median <= TARGET.loadMs)}; open from snapshot ${fmtMs(g.loadMs.median)} — ${mark(g.loadMs.median <= TARGET.loadMs)}`,
    `- role change + next check ≤ 5 µs: index (apply + rebuildUser + can) ${fmtNs(i.roleChangeNs.p50)} p50 — ${mark(i.roleChangeNs.p50 <= TARGET.roleChangeNs)}; through \`assignRole\` (validated, hashed, stored commit) ${fmtNs(g.roleChangeNs.p50)} p50 — ${mark(g.roleChangeNs.p50 <= TARGET.roleChangeNs)}`,
  ];
}

export function authzTable(result: AuthzResult, quick: boolean): Table {
  const rows: string[][] = [];
  for (const s of result.sizes) {
    for (const p of s.peers) {
      if (p.skipped) {
        rows.push([fmtCount(s.users), p.label, `not run: ${p.skipped}`, '', '', '', '', '0', '—']);
        continue;
      }
      rows.push([
        fmtCount(s.users),
        p.label,
        fmtSummary(p.checksPerSec, fmtCount),
        `${fmtNs(p.p50Ns.median)} / ${fmtNs(p.p99Ns.median)}`,
        p.loadNote ?? fmtSummary(p.loadMs, fmtMs),
        fmtBytes(p.heapBytes),
        `${fmtNs(p.roleChangeNs.p50)} / ${fmtNs(p.roleChangeNs.p99)}`,
        fmtCount(p.checked),
        String(p.disagreements + p.roleChangeNs.wrong),
      ]);
    }
  }
  const first = result.sizes[0];
  const ref = result.sizes.find((s) => s.users === 10_000) ?? result.sizes[result.sizes.length - 1];
  return {
    title: '1. Authorisation checks',
    columns: ['users', 'peer', 'checks/s (median, min–max)', 'p50 / p99 per check', 'load', 'heap after load', 'role change + next check (p50 / p99)', 'checked', 'disagree'],
    rows,
    notes: [
      `Workload (seeded): ${result.sizes.map((s) => fmtCount(s.users)).join(' / ')} users, ${String(first?.teams ?? 0)} teams, ${String(10 + CUSTOM_ROLES)} roles (10 static + ${String(CUSTOM_ROLES)} custom), every registry permission; users in 1–4 teams with 1–2 roles each, ~5% with a global role; ${fmtCount(first?.queries ?? 0)} queries, zipf-like users, ${fmtPct(first?.crossTeamRate ?? 0)} cross-team, ${fmtPct(first?.globalRate ?? 0)} global, ${result.sizes.map((s) => fmtPct(s.allowedRate)).join(' / ')} allowed.`,
      `Passes: ${quick ? 3 : 5} timed passes per peer after one untimed pass; Gatehouse, its index and the limit take their passes in turn (A B C A B C …) over every query, so the machine's other load falls on them alike; the slow peers follow one at a time on a prefix of the same query stream ("checked"). checks/s is the median with min–max; p50/p99 are per-check times of batches timed with hrtime (≈50 µs, at most 1000 checks a batch). "disagree" counts answers that differ from the plan (Gatehouse) or from Gatehouse (the others), plus role changes whose next check was wrong.`,
      `Load: Gatehouse \`Gatehouse.open\` + \`account()\` on the memory store from a snapshot (median, min–max) and, once, replaying the whole log with no snapshot; the index row is \`new AuthzIndex(state)\` alone. casbin: \`newEnforcer\` with the policy text; CASL: one \`createMongoAbility\` per user. Heap: live-heap growth over the last build after full GCs; for the Gatehouse row, what dropping the account loaded from the log frees (state + index).`,
      `Role change: Gatehouse \`assignRole\`/\`revokeRole\` through the Account API on a memory store (validated, hash-chained commit) then \`can\`; the index row applies the event to a state copy and calls \`rebuildUser\`; casbin \`addGroupingPolicy\`/\`removeGroupingPolicy\` then \`enforceSync\`; CASL \`ability.update\` with the user's new rules.`,
      ...result.sizes.map((s) => `${fmtCount(s.users)} users: log of ${fmtCount(s.commits)} commits (${fmtCount(s.events)} events) written in ${fmtMs(s.buildMs)}.`),
      ...targets(ref),
    ],
  };
}

export async function runAuthz(opts: BenchOptions): Promise<{ table: Table; result: AuthzResult }> {
  const t = tuning(opts.quick);
  const shapes: WorkloadShape[] = (opts.users ?? (opts.quick ? [1000] : [1000, 10_000, 100_000])).map((users) => ({ users, teams: 200, queries: opts.quick ? 100_000 : 1_000_000 }));
  const sizes: SizeResult[] = [];
  for (const shape of shapes) {
    sizes.push(await measureSize(shape, t, opts));
    liveHeap();
  }
  const result = { sizes };
  return { table: authzTable(result, opts.quick), result };
}

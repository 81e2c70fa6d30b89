import type { ChildProcess } from 'node:child_process';
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateVersionResponseSchema, RuleListResponseSchema } from '@gatehouse/core/contract';
import { Rng } from '@gatehouse/core/testing';
import type { AnsweredReply, WaitRequest, WaitingReply } from './gate-waiters.js';
import type { BenchOptions, Table } from './harness.js';
import { ask, nextMessage, sleep, waitUntil } from './harness.js';
import { startChild, stopChild } from './rest-part.js';
import type { MemoryReply, MemoryRequest } from './rest-server.js';
import type { Approver, World } from './slack-part.js';
import { APPROVERS, ENV, PRODUCT, approveClick, awaitMessages, burst, createVersions, inParallel, openSlackWorld } from './slack-part.js';
import type { Summary } from './stats.js';
import { fmtBytes, fmtMs, quantile, summarize } from './stats.js';

/** One kind of waiting client, measured over `rounds` versions. */
export interface ClientResult {
  readonly client: 'long-poll' | 'poll';
  /** The poller's interval; null for `gatehouse gate --wait`. */
  readonly intervalMs: number | null;
  readonly rounds: number;
  /** Rounds whose client exited 0 after printing ready. */
  readonly passed: number;
  /** Deciding click sent → the client process exited. */
  readonly exitMs: Summary & { p99: number };
  /** Deciding click sent → the client printed ready. */
  readonly answerMs: Summary & { p99: number };
  /** The deciding click's ack (Bolt's HTTP 200), for scale. */
  readonly ackMs: Summary;
  readonly errors: readonly string[];
}

/** One way of making `waiters` parked long-polls ready. */
export interface FanoutPhase {
  /** Waiters that ended ready (must be all of them). */
  readonly ready: number;
  /** First deciding request sent → last waiter answered. */
  readonly allMs: number;
  /** Per waiter: the request that readied its version sent → its answer. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface FanoutResult {
  readonly waiters: number;
  /** The server's live heap and RSS with every waiter parked, minus before (after a full collection). */
  readonly heapDelta: number;
  readonly rssDelta: number;
  /** Requests open on the server when measured with the waiters parked (must be `waiters`). */
  readonly parked: number;
  /** `waiters` deciding approvals, 10 at a time, nobody waiting: the baseline. */
  readonly idleDecisionsMs: number;
  /** The same approvals (first sent → last answered to its sender) with a waiter on each version. */
  readonly eachDecisionsMs: number;
  readonly each: FanoutPhase;
  /** One commit (the rule loses a requirement) readies every waiter's version. */
  readonly oneCommit: FanoutPhase;
  readonly errors: readonly string[];
}

export interface GateResult {
  readonly clients: readonly ClientResult[];
  readonly fanout: FanoutResult;
}

const CLI = fileURLToPath(new URL('./cli.js', import.meta.resolve('@gatehouse/slack-bot')));
const POLLER = fileURLToPath(new URL('./gate-poller.js', import.meta.url));
const WAITERS = fileURLToPath(new URL('./gate-waiters.js', import.meta.url));
/** After the long-poll client says it waits: its request reaches the server and parks. */
const PARK_MS = 300;
/** The default of common manual-approval Actions (trstringer/manual-approval polls every 10 s). */
const POLL_MS = 10_000;

const now = () => performance.timeOrigin + performance.now();
const withP99 = (xs: readonly number[]): Summary & { p99: number } => ({ ...summarize(xs), p99: quantile(xs, 0.99) });

/** The approver of `type` for round `n` (the pool has ten of each). */
function approver(type: Approver['type'], n: number): Approver {
  const pool = APPROVERS.filter((a) => a.type === type);
  return pool[n % pool.length] as Approver;
}

interface ClientSpec {
  readonly intervalMs: number | null;
  readonly rounds: number;
}

interface Exited {
  readonly code: number | null;
  /** When the process exited, and when it printed ready (NaN if never), on this process's clock from the epoch. */
  readonly exitAt: number;
  readonly answerAt: number;
  readonly tail: string;
}

/**
 * A waiting pipeline step in its own process: `gatehouse gate --wait` (the built CLI, as a pipeline
 * runs it) or the poller. `waiting` resolves once it waits (the CLI's "waiting for approvals of",
 * the poller's "polling"); `exited` once its output is read to the end.
 */
function startClient(w: World, spec: ClientSpec, version: string, cwd: string): { waiting: Promise<void>; exited: Promise<Exited>; kill: () => void } {
  const args = spec.intervalMs === null ? [CLI, 'gate', '--product', PRODUCT, '--version', version, '--env', ENV, '--wait', '--timeout', '10m'] : [POLLER, String(spec.intervalMs), PRODUCT, version, ENV];
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GATEHOUSE_|SLACK_|PORT$|HOST$|LOG_LEVEL$)/.test(k)));
  // cwd: a folder without a .env (the CLI reads one from where it runs).
  const child = spawn(process.execPath, args, { cwd, env: { ...inherited, GATEHOUSE_URL: w.server.url, GATEHOUSE_TOKEN: w.ciKey }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let answerAt = Number.NaN;
  let exitAt = Number.NaN;
  let onWaiting = () => {};
  const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 10) tail.shift();
    if (line === 'polling' || line.startsWith('waiting for approvals of')) onWaiting();
    if (Number.isNaN(answerAt) && (line === 'ready' || line.endsWith(': ready'))) answerAt = now();
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
  child.once('exit', () => (exitAt = now()));
  const exited = new Promise<Exited>((resolve) => child.once('close', (code) => resolve({ code, exitAt, answerAt, tail: tail.join('\n') })));
  const failed = exited.then((e) => Promise.reject(new Error(`bench: the gate client exited (${String(e.code)}) before waiting:\n${e.tail}`)));
  return { waiting: Promise.race([waiting, failed]), exited, kill: () => child.kill('SIGKILL') };
}

interface Round {
  readonly exitMs: number;
  readonly answerMs: number;
  readonly ackMs: number;
  readonly error: string | null;
}

/**
 * One version through the whole path: CI registers it and asks for approval (the server posts the
 * approval message to the fake Slack), QA and Security approve with a click each, the client
 * starts waiting, and the Operational approver's click — signed like Slack's, through the real
 * Bolt receiver — is the deciding approval. Times run from that click being sent (the load
 * generator's clock) to the client's exit (this process's; both count from the epoch).
 */
async function gateRound(w: World, spec: ClientSpec, name: string, n: number, rng: Rng, cwd: string): Promise<Round> {
  const [id] = await createVersions(w, name, 1);
  const [msg] = await awaitMessages(w, [id as string]);
  if (!id || !msg) throw new Error('bench: no version or approval message');
  for (const type of ['qa', 'security'] as const) {
    const [s] = await burst(w, '/slack/events', [approveClick(w, msg, approver(type, n)).body], 200);
    if (s?.error) return { exitMs: Number.NaN, answerMs: Number.NaN, ackMs: Number.NaN, error: s.error };
  }
  // The server records a decision after the ack: wait until the log has both.
  const recorded = async () => {
    await w.reader.refresh();
    return (w.decided.get(id)?.length ?? 0) >= 2;
  };
  if (!(await waitUntil(recorded, Date.now() + 30_000))) throw new Error(`bench: the QA and Security clicks on ${id} were not recorded`);
  const deciding = approveClick(w, msg, approver('operational', n));
  const client = startClient(w, spec, `${name}.0`, cwd);
  const guard = setTimeout(client.kill, (spec.intervalMs ?? 0) + 60_000);
  try {
    await client.waiting;
    // A poller's phase is its own: the click lands anywhere in its interval, as in a real pipeline.
    await sleep(spec.intervalMs === null ? PARK_MS : rng.next() * spec.intervalMs);
    const [sent] = await burst(w, '/slack/events', [deciding.body], 200);
    const e = await client.exited;
    if (!sent) throw new Error('bench: the deciding click was not sent');
    const error = sent.error ?? (e.code === 0 && !Number.isNaN(e.answerAt) ? null : `the client exited ${String(e.code)}:\n${e.tail}`);
    return { exitMs: e.exitAt - sent.t0, answerMs: e.answerAt - sent.t0, ackMs: sent.ms, error };
  } finally {
    clearTimeout(guard);
    client.kill();
  }
}

/** The server's memory after a full collection, and its open requests. */
const memory = (child: ChildProcess) => ask<MemoryReply>(child, { type: 'memory' } satisfies MemoryRequest);

/**
 * `n` pipelines waiting at once on one server (the REST benchmark's: demo account, memory store,
 * child process): what they cost it, and how fast they all hear when their versions become ready —
 * each by its own deciding approval, and all by one commit.
 */
async function fanout(opts: BenchOptions, n: number): Promise<FanoutResult> {
  const { child, ready } = await startChild(['--expose-gc']);
  const waiters = fork(WAITERS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const errors: string[] = [];
  try {
    const key = (userId: string) => ready.keys.find((k) => k.userId === userId)?.secret ?? '';
    const [ci, qa, security, admin] = ['UCI', 'UQUINN', 'USEC', 'UADA'].map(key) as [string, string, string, string];
    const call = async (method: string, path: string, token: string, body?: unknown): Promise<unknown> => {
      const res = await fetch(`${ready.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      if (!res.ok) throw new Error(`bench: ${method} ${path} answered ${String(res.status)}: ${text}`);
      return text ? (JSON.parse(text) as unknown) : null;
    };
    const range = Array.from({ length: n }, (_, i) => i);
    /** `n` versions of checkout with approval requested for production, QA and Security given: one approval from ready. */
    const prepare = (set: string) =>
      inParallel(range, 10, async (i) => {
        const version = `${set}.${String(i)}`;
        const { version: v } = CreateVersionResponseSchema.parse(await call('POST', '/versions', ci, { productId: 'checkout', version }));
        await call('POST', `/versions/${v.id}/approval-requests`, ci, { environmentId: 'production' });
        await call('POST', `/versions/${v.id}/decisions`, qa, { approvalType: 'qa', decision: 'approve' });
        await call('POST', `/versions/${v.id}/decisions`, security, { approvalType: 'security', decision: 'approve' });
        return { id: v.id, version };
      });
    /** The deciding (Operational) approvals, 10 at a time: when each was sent. */
    const decideAll = (set: readonly { id: string }[]) =>
      inParallel(set, 10, async (v) => {
        const t0 = now();
        await call('POST', `/versions/${v.id}/decisions`, admin, { approvalType: 'operational', decision: 'approve' });
        return t0;
      });
    /** Starts the waiters and resolves once the server holds all of them (with the promise of their answers: a bare promise would be awaited too). */
    const park = async (set: readonly { version: string }[]): Promise<{ answered: Promise<AnsweredReply> }> => {
      const waiting = nextMessage<WaitingReply>(waiters, 'waiting');
      const answered = nextMessage<AnsweredReply>(waiters, 'answered', 600_000);
      waiters.send({ type: 'wait', url: ready.url, token: ci, product: 'checkout', environment: 'production', versions: set.map((v) => v.version) } satisfies WaitRequest);
      await waiting;
      if (!(await waitUntil(async () => (await memory(child)).open >= n, Date.now() + 60_000))) throw new Error(`bench: the server never held ${String(n)} waiters`);
      return { answered };
    };
    const phase = (answered: AnsweredReply, sentAt: (version: string) => number): FanoutPhase => {
      for (const r of answered.results) if (r.status !== 'ready') errors.push(`${r.version}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
      const ms = answered.results.map((r) => r.at - sentAt(r.version));
      const first = Math.min(...answered.results.map((r) => sentAt(r.version)));
      return { ready: answered.results.filter((r) => r.status === 'ready').length, allMs: Math.max(...answered.results.map((r) => r.at)) - first, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
    };

    opts.log(`gate: ${String(n)} versions × 3 on the REST server, each one approval from ready`);
    const [idle, each, one] = [await prepare('idle'), await prepare('each'), await prepare('one')];
    const i0 = now();
    await decideAll(idle);
    const idleDecisionsMs = now() - i0;

    const before = await memory(child);
    opts.log(`gate: ${String(n)} concurrent waiters (runGate --wait in one process), then an approval readies each version`);
    const eachAnswered = await park(each);
    const during = await memory(child);
    const sent = await decideAll(each);
    const decisionsEnd = now();
    const sentAt = new Map(each.map((v, i) => [v.version, sent[i] ?? Number.NaN]));
    const eachResult = phase(await eachAnswered.answered, (v) => sentAt.get(v) ?? Number.NaN);

    opts.log(`gate: ${String(n)} waiters again, then one commit (the production rule drops Operational) readies them all`);
    const oneAnswered = await park(one);
    const rules = RuleListResponseSchema.parse(await call('GET', '/rules', admin));
    const rule = rules.items.find((r) => r.environmentId === 'production' && r.productId === null);
    if (!rule) throw new Error('bench: the demo has no production rule');
    const t0 = now();
    await call('PATCH', `/rules/${rule.id}`, admin, { requirements: rule.requirements.filter((r) => r.type !== 'operational') });
    const oneCommit = phase(await oneAnswered.answered, () => t0);
    return {
      waiters: n,
      heapDelta: during.heapUsed - before.heapUsed,
      rssDelta: during.rss - before.rss,
      parked: during.open,
      idleDecisionsMs,
      eachDecisionsMs: decisionsEnd - Math.min(...sent),
      each: eachResult,
      oneCommit,
      errors,
    };
  } finally {
    if (waiters.connected) waiters.disconnect();
    await stopChild(child);
  }
}

export async function runGatePart(opts: BenchOptions): Promise<{ table: Table; result: GateResult }> {
  const rng = new Rng(0x6a7e);
  // --quick: the same clients on small counts; the 10-s poller becomes a 2-s one to stay short.
  const specs: ClientSpec[] = opts.quick
    ? [
        { intervalMs: null, rounds: 3 },
        { intervalMs: 1000, rounds: 2 },
        { intervalMs: 2000, rounds: 1 },
      ]
    : [
        { intervalMs: null, rounds: 50 },
        { intervalMs: 1000, rounds: 20 },
        { intervalMs: POLL_MS, rounds: 12 },
      ];
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-bench-gate-cwd-'));
  const w = await openSlackWorld(opts.log, 'gate');
  const clients: ClientResult[] = [];
  try {
    let n = 0;
    if (!opts.quick) {
      opts.log('gate: warm-up round');
      await gateRound(w, specs[0] as ClientSpec, 'gwarm', n++, rng, cwd);
    }
    for (const [k, spec] of specs.entries()) {
      opts.log(`gate: ${String(spec.rounds)} rounds, ${spec.intervalMs === null ? '`gatehouse gate --wait`' : `a client polling every ${fmtMs(spec.intervalMs)}`}, deciding approval by a Slack click`);
      const rounds: Round[] = [];
      for (let r = 0; r < spec.rounds; r++) rounds.push(await gateRound(w, spec, `g${String(k)}-${String(r)}`, n++, rng, cwd));
      const ok = rounds.filter((r) => r.error === null);
      clients.push({
        client: spec.intervalMs === null ? 'long-poll' : 'poll',
        intervalMs: spec.intervalMs,
        rounds: rounds.length,
        passed: ok.length,
        exitMs: withP99(ok.map((r) => r.exitMs)),
        answerMs: withP99(ok.map((r) => r.answerMs)),
        ackMs: summarize(ok.map((r) => r.ackMs)),
        errors: rounds.flatMap((r) => (r.error ? [r.error] : [])),
      });
    }
  } finally {
    await w.close();
    rmSync(cwd, { recursive: true, force: true });
  }
  const result: GateResult = { clients, fanout: await fanout(opts, opts.quick ? 50 : 1000) };
  return { table: gateTable(result), result };
}

export function gateTable(r: GateResult): Table {
  const f = r.fanout;
  const label = (c: ClientResult) => (c.intervalMs === null ? '`gatehouse gate --wait` (long-poll, the CLI and the Action)' : `a step polling every ${fmtMs(c.intervalMs)}${c.intervalMs === POLL_MS ? ' (manual-approval Actions’ default)' : ''}`);
  const n = f.waiters.toLocaleString('en-US');
  const signed = (b: number) => `${b >= 0 ? '+' : ''}${fmtBytes(b)}`;
  return {
    title: '6. The gate in the pipeline',
    columns: ['measure', 'rounds', 'p50', 'p99', 'max', 'details'],
    rows: [
      ...r.clients.map((c) => [
        `deciding Slack click → ${label(c)} exited 0`,
        `${String(c.passed)} / ${String(c.rounds)}`,
        fmtMs(c.exitMs.median),
        fmtMs(c.exitMs.p99),
        fmtMs(c.exitMs.max),
        `printed ready after p50 ${fmtMs(c.answerMs.median)}; the click's ack p50 ${fmtMs(c.ackMs.median)}`,
      ]),
      [`${n} waiters parked on the server: memory`, '', '', '', '', `heap ${signed(f.heapDelta)} (${fmtBytes(f.heapDelta / f.waiters)} a waiter), RSS ${signed(f.rssDelta)}; ${f.parked.toLocaleString('en-US')} requests open`],
      [`${n} waiters, each version readied by its own approval → answered`, `${f.each.ready.toLocaleString('en-US')} / ${n}`, fmtMs(f.each.p50Ms), fmtMs(f.each.p99Ms), '', `all answered ${fmtMs(f.each.allMs)} after the first approval was sent; the ${n} approvals took ${fmtMs(f.eachDecisionsMs)}, ${fmtMs(f.idleDecisionsMs)} with nobody waiting`],
      [`${n} waiters, all readied by one commit (rule change) → answered`, `${f.oneCommit.ready.toLocaleString('en-US')} / ${n}`, fmtMs(f.oneCommit.p50Ms), fmtMs(f.oneCommit.p99Ms), '', `all answered ${fmtMs(f.oneCommit.allMs)} after the change was sent`],
    ],
    notes: [
      `Rows 1–${String(r.clients.length)}: the server of part 2 (\`main.js\` in a child process on SQLite, Bolt's HTTP receiver, the fake Slack's Web API on loopback). Each round CI registers a version and asks for approval over REST, QA and Security approve with a click each, then a waiting step starts in its own process — the built CLI's \`gatehouse gate --wait\`, or a poller that GETs the evaluation, sleeps its interval and asks again, as the manual-approval Actions do — and the Operational approver's signed \`block_actions\` click, sent by the load generator through the real Bolt receiver, is the deciding approval. Times run from that click being sent to the step's process exiting (the load generator's clock and this process's, both from the epoch). The long-poll step is clicked ${String(PARK_MS)} ms after it says it waits; a poller at a uniformly random point of its interval (seeded), so its delay is measured, not computed: expect about half the interval on average. Pollers get fewer rounds (their rounds take their interval).`,
      `Rows ${String(r.clients.length + 1)}–${String(r.clients.length + 3)}: the REST benchmark's server (demo account, memory store, child process with --expose-gc). ${n} pipelines wait at once in one client process — the CLI's own \`runGate\` with --wait each, so the same requests as ${n} \`gatehouse gate --wait\` steps — each on a version one Operational approval from ready. Memory: the server's live heap and RSS after full collections with all of them parked, minus before (connections included; RSS also moves with what the allocator hands back, so it can shrink). Then the ${n} deciding approvals go over REST, 10 at a time; per waiter, from its approval sent to its answer. Then ${n} more waiters, and one PATCH of the production rule (dropping Operational) readies all their versions in one commit.`,
      ...[...r.clients.flatMap((c) => c.errors), ...f.errors].slice(0, 5).map((e) => `- error: ${e.replace(/\s+/g, ' ').slice(0, 300)}`),
    ],
  };
}

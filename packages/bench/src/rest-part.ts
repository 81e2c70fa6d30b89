import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchOptions, Table } from './harness.js';
import type { ServerReady, TimesReply, TimesRequest } from './rest-server.js';
import type { Summary } from './stats.js';
import { fmtCount, fmtMs, fmtSummary, quantileSorted, summarize } from './stats.js';

export interface EndpointResult {
  readonly method: 'GET';
  readonly path: string;
  readonly connections: number;
  readonly shape: string;
  readonly as: string;
  readonly rate: number;
  readonly seconds: number;
  readonly passes: number;
  /** Responses over all passes, and those that were not 2xx or never came (errors, timeouts). */
  readonly responses: number;
  readonly errors: number;
  readonly achievedRps: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly maxMs: number;
  /** The same requests timed inside the server (taken up by the event loop to response finished). */
  readonly serverP50Ms: Summary;
  readonly serverP99Ms: Summary;
}

export interface RestResult {
  readonly endpoints: readonly EndpointResult[];
}

const RATE = 500;
/**
 * autocannon paces each connection on its own timer, all started together: with 10 connections
 * the 500 req/s arrive as bursts of 10 every 20 ms; with one they arrive evenly, 2 ms apart. Both
 * are measured — real traffic lies between.
 */
const SHAPES = [
  { connections: 1, label: 'even (1 connection)' },
  { connections: 10, label: 'bursts of 10 (10 connections)' },
] as const;
const TARGET_P99_MS = 5;

/** Starts the server child (with these Node flags) and waits for its URL and keys. */
export async function startChild(execArgv: readonly string[] = []): Promise<{ child: ChildProcess; ready: ServerReady }> {
  const child = fork(fileURLToPath(new URL('./rest-server.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...execArgv] });
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench: the REST server did not start within 30 s')), 30_000);
    child.once('message', (m: ServerReady) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: the REST server exited with ${String(code)} before listening`));
    });
  });
  return { child, ready };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

interface Pass {
  latencies: Float64Array;
  server: Float64Array;
  errors: number;
  seconds: number;
}

/** The server-side times the child recorded since the last ask (and it forgets them). */
function serverTimes(child: ChildProcess): Promise<Float64Array> {
  return new Promise((resolve) => {
    const onMessage = (m: TimesReply) => {
      if (m.type !== 'times') return;
      child.off('message', onMessage);
      resolve(Float64Array.from(m.ms).sort());
    };
    child.on('message', onMessage);
    child.send({ type: 'times' } satisfies TimesRequest);
  });
}

/**
 * One fixed-rate run. Latencies come from autocannon's per-response event (milliseconds as a
 * float): its own histogram keeps whole milliseconds only, too coarse against a 5 ms target.
 */
async function loadPass(child: ChildProcess, url: string, secret: string, seconds: number, connections: number): Promise<Pass> {
  await serverTimes(child);
  const pass = await new Promise<Omit<Pass, 'server'>>((resolve, reject) => {
    const samples: number[] = [];
    const instance = autocannon(
      { url, connections, overallRate: RATE, duration: seconds, headers: { authorization: `Bearer ${secret}` } },
      (err: unknown, result: autocannon.Result) => {
        if (err) {
          reject(err instanceof Error ? err : new Error('autocannon failed', { cause: err }));
          return;
        }
        const latencies = Float64Array.from(samples).sort();
        resolve({ latencies, errors: result.errors + result.non2xx, seconds });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
    });
  });
  return { ...pass, server: await serverTimes(child) };
}

export async function runRest(opts: BenchOptions): Promise<{ table: Table; result: RestResult }> {
  const seconds = opts.quick ? 2 : 10;
  const passes = opts.quick ? 1 : 3;
  const warmup = opts.quick ? 0.5 : 2;
  opts.log('rest: starting the server (child process, memory store, demo data)');
  const { child, ready } = await startChild();
  try {
    const key = (userId: string) => {
      const k = ready.keys.find((x) => x.userId === userId);
      if (!k) throw new Error(`bench: the demo has no key for ${userId}`);
      return k.secret;
    };
    const targets = [
      { path: '/api/v1/me', as: 'UDEV', label: 'Dev (personal token)' },
      { path: '/api/v1/approvals/pending', as: 'UQUINN', label: 'Quinn, QA (personal token)' },
    ];
    const endpoints: EndpointResult[] = [];
    for (const t of targets) {
      const url = `${ready.url}${t.path}`;
      // Sanity: the call works and returns data before we time it.
      const probe = await fetch(url, { headers: { authorization: `Bearer ${key(t.as)}` } });
      if (probe.status !== 200) throw new Error(`bench: GET ${t.path} answered ${String(probe.status)}: ${await probe.text()}`);
      await probe.arrayBuffer();
      for (const shape of SHAPES) {
        opts.log(`rest: GET ${t.path} at ${String(RATE)} req/s, ${shape.label}, ${String(passes)} × ${String(seconds)} s (after ${String(warmup)} s warm-up)`);
        await loadPass(child, url, key(t.as), warmup, shape.connections);
        const runs: Pass[] = [];
        for (let p = 0; p < passes; p++) runs.push(await loadPass(child, url, key(t.as), seconds, shape.connections));
        endpoints.push({
          method: 'GET',
          path: t.path,
          connections: shape.connections,
          shape: shape.label,
          as: t.label,
          rate: RATE,
          seconds,
          passes,
          responses: runs.reduce((s, r) => s + r.latencies.length, 0),
          errors: runs.reduce((s, r) => s + r.errors, 0),
          achievedRps: summarize(runs.map((r) => r.latencies.length / r.seconds)),
          p50Ms: summarize(runs.map((r) => quantileSorted(r.latencies, 0.5))),
          p99Ms: summarize(runs.map((r) => quantileSorted(r.latencies, 0.99))),
          maxMs: Math.max(...runs.map((r) => r.latencies[r.latencies.length - 1] ?? Number.NaN)),
          serverP50Ms: summarize(runs.map((r) => quantileSorted(r.server, 0.5))),
          serverP99Ms: summarize(runs.map((r) => quantileSorted(r.server, 0.99))),
        });
      }
    }
    const result = { endpoints };
    return { table: restTable(result), result };
  } finally {
    await stopChild(child);
  }
}

export function restTable(r: RestResult): Table {
  const first = r.endpoints[0];
  return {
    title: '3. REST API',
    columns: ['endpoint', 'key', 'load', 'achieved req/s', 'p50', 'p99', 'max', 'in the server p50 / p99', 'responses', 'errors'],
    rows: r.endpoints.map((e) => [
      `${e.method} ${e.path}`,
      e.as,
      `${String(e.rate)} req/s, ${e.shape}, ${String(e.seconds)} s × ${String(e.passes)}`,
      fmtSummary(e.achievedRps, fmtCount),
      fmtSummary(e.p50Ms, fmtMs),
      fmtSummary(e.p99Ms, fmtMs),
      fmtMs(e.maxMs),
      `${fmtMs(e.serverP50Ms.median)} / ${fmtMs(e.serverP99Ms.median)}`,
      fmtCount(e.responses),
      String(e.errors),
    ]),
    notes: [
      `autocannon (overallRate ${String(first?.rate ?? RATE)}; one connection, or ten whose paced requests leave together) in this process against the real server (\`startServer\`) in a child process on loopback, memory store seeded with the demo account, rate limit raised. Latency is per response from autocannon's response event (what a client sees, including the load generator's own share of the two cores); "in the server" times the same requests inside the server process, from the moment its event loop takes a request up to the response finished (Node's http diagnostics channels) — so it leaves out time a request of a burst waits in the socket while the ones before it are served. Medians over passes with min–max. Errors are connection errors, timeouts and non-2xx answers.`,
      ...r.endpoints.map((e) => `- ${e.path}, ${e.shape}: p99 ${fmtMs(e.p99Ms.median)} as the client sees it against the 5 ms target — ${e.p99Ms.median <= TARGET_P99_MS ? '✅ met' : '❌ not met'} (in the server: ${fmtMs(e.serverP99Ms.median)} — ${e.serverP99Ms.median <= TARGET_P99_MS ? 'within' : 'over'} the target)`),
    ],
  };
}

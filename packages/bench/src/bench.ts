import { availableParallelism, loadavg } from 'node:os';
import type { AuthzResult } from './authz-part.js';
import { runAuthz } from './authz-part.js';
import type { GateResult } from './gate-part.js';
import { runGatePart } from './gate-part.js';
import type { FollowUpResult } from './followup-part.js';
import type { GithubResult } from './github-part.js';
import type { BurstResult } from './burst-part.js';
import { runBurst } from './burst-part.js';
import type { HomeResult } from './home-part.js';
import { runHome } from './home-part.js';
import { runGithub } from './github-part.js';
import { runFollowUp } from './followup-part.js';
import type { BenchOptions, Table } from './harness.js';
import type { RestResult } from './rest-part.js';
import { runRest } from './rest-part.js';
import type { ExtensionResult } from './extension-part.js';
import { runExtension } from './extension-part.js';
import type { SlackResult } from './slack-part.js';
import { runSlack } from './slack-part.js';
import type { StorageResult } from './storage-part.js';
import { runStorage } from './storage-part.js';
import { markdownTable } from './stats.js';

export const PARTS = ['authz', 'slack', 'rest', 'storage', 'extension', 'gate', 'followup', 'github', 'home', 'burst'] as const;
export type PartId = (typeof PARTS)[number];

/** What a run measured: the tables as printed and the numbers behind them. */
export interface BenchReport {
  readonly quick: boolean;
  readonly node: string;
  readonly startedAt: string;
  readonly seconds: number;
  /** os.loadavg() (1 min) when the run started and ended: other work on the machine skews every number. */
  readonly load: { start: number; end: number; cores: number };
  readonly tables: Partial<Record<PartId, Table>>;
  readonly authz?: AuthzResult;
  readonly rest?: RestResult;
  readonly storage?: StorageResult;
  readonly slack?: SlackResult;
  readonly extension?: ExtensionResult;
  readonly gate?: GateResult;
  readonly followup?: FollowUpResult;
  readonly github?: GithubResult;
  readonly home?: HomeResult;
  readonly burst?: BurstResult;
}

/** Runs the chosen parts in order (each alone on the machine: they never overlap). */
export async function runBench(opts: BenchOptions & { parts?: readonly PartId[] }): Promise<BenchReport> {
  const parts = new Set(opts.parts ?? PARTS);
  const t0 = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const tables: Partial<Record<PartId, Table>> = {};
  /** Runs one part if chosen, keeps its table and returns its numbers. */
  const part = async <R>(id: PartId, run: (o: BenchOptions) => Promise<{ table: Table; result: R }>): Promise<R | undefined> => {
    if (!parts.has(id)) return undefined;
    const r = await run(opts);
    tables[id] = r.table;
    return r.result;
  };
  const authz = await part('authz', runAuthz);
  const slack = await part('slack', runSlack);
  const rest = await part('rest', runRest);
  const storage = await part('storage', runStorage);
  const extension = await part('extension', runExtension);
  const gate = await part('gate', runGatePart);
  const followup = await part('followup', runFollowUp);
  const github = await part('github', runGithub);
  const home = await part('home', runHome);
  const burst = await part('burst', runBurst);
  return {
    quick: opts.quick,
    node: process.version,
    startedAt: new Date(t0).toISOString(),
    seconds: (Date.now() - t0) / 1000,
    load: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN, cores: availableParallelism() },
    tables,
    ...(authz ? { authz } : {}),
    ...(rest ? { rest } : {}),
    ...(storage ? { storage } : {}),
    ...(slack ? { slack } : {}),
    ...(extension ? { extension } : {}),
    ...(gate ? { gate } : {}),
    ...(followup ? { followup } : {}),
    ...(github ? { github } : {}),
    ...(home ? { home } : {}),
    ...(burst ? { burst } : {}),
  };
}

/** A part as markdown: heading, table, then its notes (paragraphs, or list items starting with "- "). */
export function renderTable(t: Table): string {
  const notes = t.notes.map((n, i) => {
    const next = t.notes[i + 1];
    const item = n.startsWith('- ');
    const itemFollows = next?.startsWith('- ') ?? false;
    return `${n}\n${(item || n.endsWith(':')) && itemFollows ? '' : '\n'}`;
  });
  return [`## ${t.title}`, '', markdownTable(t.columns, t.rows), '', notes.join('')].join('\n');
}

export function renderReport(r: BenchReport): string {
  const head = `# Gatehouse benchmarks${r.quick ? ' (--quick: small sizes, numbers not meaningful)' : ''}\n\nNode ${r.node}, ${String(r.load.cores)} cores, ${r.seconds.toFixed(0)} s, started ${r.startedAt}; load average ${r.load.start.toFixed(2)} at the start, ${r.load.end.toFixed(2)} at the end.\n`;
  return [head, ...PARTS.flatMap((p) => (r.tables[p] ? [renderTable(r.tables[p])] : []))].join('\n');
}

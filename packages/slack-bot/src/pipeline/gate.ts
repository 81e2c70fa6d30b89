import type { ApproversResponse, EvaluationDto, VersionDto } from '@gatehouse/core/contract';
import { ApproversResponseSchema, EvaluationSchema, VersionListResponseSchema } from '@gatehouse/core/contract';
import type { RestClient } from '../client/rest-client.js';
import { RemoteError } from '../client/rest-client.js';
import { formatDuration } from '../slack/parse.js';

/**
 * The exit codes of `gatehouse gate` (and the Action's `status`): part of the interface, documented
 * in the README. 0 ready; 1 rejected, or blocked without --wait; 2 timed out; 3 error.
 */
export const GATE_EXIT = { ready: 0, rejected: 1, blocked: 1, timed_out: 2, error: 3 } as const;
export type GateStatus = keyof typeof GATE_EXIT;

export interface GateOptions {
  product: string;
  version: string;
  env: string;
  wait: boolean;
  /** How long to wait in all (ms). */
  timeoutMs: number;
  onTimeout: 'fail' | 'pass';
}

export interface GateResult {
  status: GateStatus;
  exitCode: number;
  /** What is missing, one line each (empty when ready). */
  missing: string[];
}

export interface GateIo {
  /** The result lines (stdout). */
  out: (line: string) => void;
  /** Progress and hints (stderr). */
  note: (line: string) => void;
  now?: () => number;
}

/** The version of `product` registered as `version`, or an error saying how to register it. */
export async function findVersion(client: RestClient, product: string, version: string): Promise<VersionDto> {
  const q = new URLSearchParams({ productId: product, version });
  const { items } = await client.call(`/versions?${q.toString()}`, VersionListResponseSchema);
  const v = items[0];
  if (!v) throw new RemoteError(`version ${version} of ${product} was never registered: run "gatehouse version create --product ${product} --version ${version}" first`, 'not_found');
  return v;
}

const rejected = (e: EvaluationDto) => e.requirements.some((r) => r.rejectedBy.length > 0) || (e.release?.rejectedBy.length ?? 0) > 0;

function approverLines(e: EvaluationDto, approvers: ApproversResponse): string[] {
  const who = new Map(approvers.items.map((a) => [a.type, a.users]));
  return e.missing.map((m) => {
    const type = m.split(':')[0] ?? '';
    const users = who.get(type as ApproversResponse['items'][number]['type']);
    if (!users) return m;
    const names = users.slice(0, 5).map((u) => u.name || u.id);
    const more = users.length > 5 ? ` and ${users.length - 5} more (GET /api/v1/versions/${e.versionId}/approvers lists them)` : '';
    return `${m} — ${users.length ? `can give it: ${names.join(', ')}${more}` : 'nobody can give it now: grant the role first'}`;
  });
}

/**
 * Checks the gate for a version and environment and, with `wait`, waits on the server (long-poll
 * with the evaluation's ETag: one idle connection, answered the moment a decision lands) until it
 * is ready, rejected or the time is up. Connection errors while waiting are retried with backoff.
 */
export async function runGate(client: RestClient, o: GateOptions, io: GateIo): Promise<GateResult> {
  const now = io.now ?? Date.now;
  const started = now();
  const deadline = started + o.timeoutMs;
  const v = await findVersion(client, o.product, o.version);
  const path = `/versions/${encodeURIComponent(v.id)}/evaluation?environmentId=${encodeURIComponent(o.env)}`;
  const first = await client.raw(path);
  let e = EvaluationSchema.parse(first.json);
  let etag = first.etag;
  const label = `${o.product} ${o.version} → ${o.env}`;
  const finish = (status: GateStatus, lines: string[] = []): GateResult => {
    io.out(`${label}: ${status.replace('_', ' ')}`);
    for (const l of lines) io.out(`  ${l}`);
    return { status, exitCode: status === 'timed_out' && o.onTimeout === 'pass' ? 0 : GATE_EXIT[status], missing: e.missing };
  };
  const explain = async () => approverLines(e, await client.call(`/versions/${encodeURIComponent(v.id)}/approvers?environmentId=${encodeURIComponent(o.env)}`, ApproversResponseSchema));
  if (e.ready) return finish('ready');
  if (rejected(e)) return finish('rejected', e.missing);
  if (!o.wait) return finish('blocked', await explain());
  for (const l of await explain()) io.note(`waiting for: ${l}`);
  let backoff = 1000;
  while (now() < deadline) {
    const left = deadline - now();
    io.note(`waiting for approvals of ${label}… ${formatDuration(now() - started)} elapsed, ${formatDuration(left)} left; missing: ${e.missing.join('; ')}`);
    try {
      const wait = Math.max(1, Math.min(60, Math.floor(left / 1000)));
      const r = await client.raw(`${path}&wait=${wait}`, etag ? { headers: { 'if-none-match': etag } } : {});
      backoff = 1000;
      if (r.status === 304) continue;
      e = EvaluationSchema.parse(r.json);
      etag = r.etag;
      if (e.ready) return finish('ready');
      if (rejected(e)) return finish('rejected', e.missing);
    } catch (err) {
      // The server restarting or the network blinking is not the gate's answer: try again.
      if (!(err instanceof RemoteError) || (err.code !== 'unreachable' && (err.status ?? 0) < 500)) throw err;
      io.note(`${err.message}; retrying in ${backoff / 1000} s`);
      await new Promise((r) => setTimeout(r, Math.min(backoff, Math.max(0, deadline - now()))));
      backoff = Math.min(backoff * 2, 30_000);
    }
  }
  if (o.onTimeout === 'pass') io.note(`the gate was not decided within ${formatDuration(o.timeoutMs)}: passing anyway (--on-timeout pass)`);
  return finish('timed_out', e.missing);
}

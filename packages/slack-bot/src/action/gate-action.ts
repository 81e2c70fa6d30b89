import { RemoteError, RestClient } from '../client/rest-client.js';
import type { GateOptions, GateStatus } from '../pipeline/gate.js';
import { GATE_EXIT, runGate } from '../pipeline/gate.js';
import { formatDuration, parseDuration } from '../slack/parse.js';
import type { Env } from './workflow.js';
import { appendSummary, command, parseBoolean, readInput, setOutputs } from './workflow.js';

/**
 * The GitHub Action's inputs as action.yml declares them. The runner fills in action.yml's
 * defaults; these apply when the entry runs without it (tests, another CI), and a test keeps
 * the two the same.
 */
export const ACTION_INPUTS = {
  url: { required: true },
  token: { required: true },
  product: { required: true },
  version: { required: true },
  environment: { required: true },
  wait: { required: false, default: 'true' },
  timeout: { required: false, default: '6h' },
  'on-timeout': { required: false, default: 'fail' },
} as const satisfies Record<string, { required: boolean; default?: string }>;

type InputName = keyof typeof ACTION_INPUTS;

/** The outputs: `status` (a GateStatus) and `missing` (one line per approval still missing). */
export const ACTION_OUTPUTS = ['status', 'missing'] as const;

export interface ActionIo {
  /** Result lines and workflow commands. */
  stdout: (line: string) => void;
  /** Progress while waiting. */
  stderr: (line: string) => void;
}

interface ActionInputs extends GateOptions {
  url: string;
  token: string;
}

const TITLE = 'Gatehouse gate';

/** The inputs checked, or every problem with them in one sentence each. */
function readInputs(env: Env): { ok: true; inputs: ActionInputs } | { ok: false; problems: string[] } {
  const value = (name: InputName): string => {
    const spec: { required: boolean; default?: string } = ACTION_INPUTS[name];
    return readInput(env, name) || (spec.default ?? '');
  };
  const problems: string[] = [];
  const absent = (Object.keys(ACTION_INPUTS) as InputName[]).filter((n) => ACTION_INPUTS[n].required && !value(n));
  if (absent.length) problems.push(`the input${absent.length > 1 ? 's' : ''} ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} required: set ${absent.length > 1 ? 'them' : 'it'} under "with:"`);
  const wait = parseBoolean(value('wait'));
  if (wait === null) problems.push(`wait: "${value('wait')}" is not a boolean: write true or false`);
  const timeoutMs = parseDuration(value('timeout'));
  if (timeoutMs === null) problems.push(`timeout: "${value('timeout')}" is not a duration: write it like 90s, 30m, 6h or 2d`);
  const onTimeout = value('on-timeout');
  if (onTimeout !== 'fail' && onTimeout !== 'pass') problems.push(`on-timeout: "${onTimeout}" is not fail or pass`);
  if (problems.length || wait === null || timeoutMs === null || (onTimeout !== 'fail' && onTimeout !== 'pass')) return { ok: false, problems };
  return { ok: true, inputs: { url: value('url'), token: value('token'), product: value('product'), version: value('version'), env: value('environment'), wait, timeoutMs, onTimeout } };
}

/**
 * The Action: masks the token, runs the same gate as `gatehouse gate`, writes `status` and
 * `missing` to GITHUB_OUTPUT, annotates a failure (or a timeout passed anyway) and returns the
 * gate's exit code (0 ready, or timed out with on-timeout pass; 1 rejected or blocked; 2 timed
 * out; 3 error). Every outcome, errors included, sets `status`.
 */
export async function runGateAction(env: Env, io: ActionIo): Promise<number> {
  // First of all: from here on the runner replaces the token with *** in every log line.
  const token = readInput(env, 'token');
  if (token) io.stdout(command('add-mask', token));
  const r = readInputs(env);
  const label = r.ok ? `${r.inputs.product} ${r.inputs.version} → ${r.inputs.env}` : 'the gate';
  let status: GateStatus;
  let missing: string[] = [];
  let exitCode: number;
  try {
    if (!r.ok) throw new RemoteError(r.problems.join('; '), 'config');
    const { url, token: key, ...gate } = r.inputs;
    const result = await runGate(new RestClient(url, key, 'the url input'), gate, { out: io.stdout, note: io.stderr });
    ({ status, missing, exitCode } = result);
  } catch (err) {
    status = 'error';
    exitCode = GATE_EXIT.error;
    // A RemoteError says what to do; anything else (an answer that is not the contract's) is still an error of the step.
    io.stdout(command('error', err instanceof Error ? err.message : String(err), { title: TITLE }));
  }
  const lines = missing.map((m) => `- ${m}`).join('\n');
  const waited = r.ok ? formatDuration(r.inputs.timeoutMs) : '';
  switch (status) {
    case 'ready':
    case 'error':
      break;
    case 'rejected':
      io.stdout(command('error', `${label} was rejected:\n${lines}`, { title: TITLE }));
      break;
    case 'blocked':
      io.stdout(command('error', `${label} is blocked (wait: false), still missing:\n${lines}`, { title: TITLE }));
      break;
    case 'timed_out':
      io.stdout(command(exitCode === 0 ? 'warning' : 'error', `${label} was not decided within ${waited}${exitCode === 0 ? ', passing anyway (on-timeout: pass)' : ''}; still missing:\n${lines}`, { title: TITLE }));
      break;
  }
  if (!setOutputs(env, { status, missing: missing.join('\n') })) io.stderr('GITHUB_OUTPUT is not set (not run by a GitHub Actions runner): the outputs status and missing were not written');
  appendSummary(env, `### ${TITLE}: ${label} — ${status.replace('_', ' ')}\n\n${lines ? `Missing:\n${lines}\n\n` : ''}`);
  return exitCode;
}

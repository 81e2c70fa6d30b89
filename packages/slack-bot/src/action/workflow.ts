/**
 * The side of the GitHub Actions runner a JavaScript action talks to, without @actions/core:
 * inputs arrive as environment variables, outputs go to the file named by GITHUB_OUTPUT, and
 * workflow commands (`::add-mask::`, `::error::`) are lines on stdout. The escaping and the
 * output file's syntax follow the runner (actions/runner `ActionCommand`, `FileCommandManager`)
 * and @actions/core, which does the same in ~40 lines we would otherwise bundle with its deps.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

/** `INPUT_<NAME>`: upper-cased, spaces to `_`, hyphens kept (`on-timeout` → `INPUT_ON-TIMEOUT`). */
export const inputVariable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** An input's value, trimmed as @actions/core does; '' when the workflow did not set it. */
export const readInput = (env: Env, name: string): string => (env[inputVariable(name)] ?? '').trim();

/** A boolean input as YAML 1.2 spells one (the set @actions/core's getBooleanInput accepts), else null. */
export function parseBoolean(text: string): boolean | null {
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  if (['false', 'False', 'FALSE'].includes(text)) return false;
  return null;
}

/** A command's message: `%`, CR and LF escaped so it stays one line. */
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A command property: also `:` and `,`, which separate properties. */
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One workflow command line, e.g. `::error title=Gatehouse::rejected`. */
export function command(name: 'add-mask' | 'error' | 'warning' | 'notice', message: string, props: Readonly<Record<string, string>> = {}): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

/**
 * The output-file line(s) for one value: `name=value`, or for a value with a line break the
 * heredoc form `name<<DELIM` … `DELIM` with a delimiter no value can forge (a random one, as
 * @actions/core uses: a fixed one would let a value end the heredoc and set other outputs).
 */
export function outputRecord(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`the output ${name} contains its delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/**
 * Appends outputs to GITHUB_OUTPUT. Returns false when the variable is unset (not under a
 * runner, or a runner older than 2.297): the caller says so, the step itself still counts.
 */
export function setOutputs(env: Env, outputs: Readonly<Record<string, string>>): boolean {
  const file = env['GITHUB_OUTPUT'];
  if (!file) return false;
  appendFileSync(file, Object.entries(outputs).map(([k, v]) => outputRecord(k, v)).join(''), 'utf8');
  return true;
}

/** Appends markdown to the job summary (GITHUB_STEP_SUMMARY) when there is one. */
export function appendSummary(env: Env, markdown: string): void {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (file) appendFileSync(file, markdown, 'utf8');
}

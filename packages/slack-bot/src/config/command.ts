import { readFile } from 'node:fs/promises';
import type { ParsedConfig } from '@gatehouse/core';
import { ConfigFileError, ConfigReferenceError, configToYaml, parseConfigYaml } from '@gatehouse/core';
import { formatPlan, planExitCode } from './format-plan.js';
import type { ConfigTarget } from './targets.js';

export interface ConfigIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

async function readConfig(file: string): Promise<ParsedConfig> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(file, [{ path: '', message: `cannot read the file: ${err instanceof Error ? err.message : String(err)}`, line: null, column: null }]);
  }
  return parseConfigYaml(text, file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Unknown references, each at its line in the file. */
function referenceProblems(err: ConfigReferenceError, file: string, parsed: ParsedConfig): string {
  return err.unknown.map((u) => {
    const at = parsed.locate(u.path);
    return `${file}${at ? `:${at.line}:${at.column}` : ''}: ${u.path.join('.')}: unknown ${u.kind} '${u.id}'${u.suggestion ? ` — did you mean '${u.suggestion}'?` : ''}`;
  }).join('\n');
}

/**
 * `config export` (YAML to stdout), `config plan <file>` (exit 0 no changes, 2 changes, 1 invalid
 * or refused) and `config apply <file> [--prune]` (one atomic commit; exit 0 applied or nothing to
 * do, 1 invalid or refused). Results go to stdout, everything else to stderr.
 */
export async function runConfig(sub: string | undefined, file: string | undefined, opts: { prune: boolean; target: ConfigTarget; schemaUrl?: string }, io: ConfigIo): Promise<number> {
  if (sub === 'export') {
    io.out(configToYaml(await opts.target.exportYaml(), opts.schemaUrl));
    return 0;
  }
  if (sub !== 'plan' && sub !== 'apply') {
    io.err(`usage: gatehouse config export | plan <file> | apply <file> [--prune]${sub ? ` (unknown: "${sub}")` : ''}\n`);
    return 1;
  }
  if (!file) {
    io.err(`usage: gatehouse config ${sub} <file> [--prune]  (- reads the file from stdin)\n`);
    return 1;
  }
  let parsed: ParsedConfig;
  try {
    parsed = await readConfig(file);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      io.err(`${err.message}\nNothing was ${sub === 'plan' ? 'planned' : 'applied'}.\n`);
      return 1;
    }
    throw err;
  }
  try {
    io.err(`${sub === 'plan' ? 'Planning' : 'Applying'} ${file} against ${opts.target.describe}${opts.prune ? ', pruning what the file leaves out' : ''}\n`);
    if (sub === 'plan') {
      const plan = await opts.target.plan(parsed.doc, opts.prune);
      io.out(formatPlan(plan, { file, locate: parsed.locate }));
      return planExitCode(plan);
    }
    const { applied, plan } = await opts.target.apply(parsed.doc, opts.prune);
    io.out(formatPlan(plan, { file, locate: parsed.locate }));
    if (!applied) return 1;
    io.err(plan.changes.length ? `Applied ${plan.changes.length} change(s) in one commit.\n` : 'Nothing to apply.\n');
    return 0;
  } catch (err) {
    if (err instanceof ConfigReferenceError) {
      io.err(`${referenceProblems(err, file, parsed)}\nNothing was ${sub === 'plan' ? 'planned' : 'applied'}.\n`);
      return 1;
    }
    throw err;
  }
}

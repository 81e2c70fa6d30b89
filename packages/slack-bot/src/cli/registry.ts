import { parseArgs } from 'node:util';
import type { Account } from '@gatehouse/core';
import { Gatehouse, isGatehouseError } from '@gatehouse/core';
import type { Config } from '../config.js';
import { loadConfig, readDotEnv } from '../config.js';
import { closest, didYouMean } from './closest.js';

export const PROGRAM = 'gatehouse';

/** One `--option` of a command: how node's parseArgs reads it, and how the usage shows it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What the value is, for the usage line: `--user <user id>`. */
  readonly value?: string;
  readonly multiple?: boolean;
  readonly required?: boolean;
  /** The only values allowed; anything else is refused, naming them and the closest. */
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly help: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A positional argument after the command words (`config apply <file>`). */
export interface ArgSpec {
  readonly name: string;
  readonly optional?: boolean;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['choices'] extends readonly (infer C)[] ? C : string;

/** What `run` receives: a list for `multiple`, a value for `required`/`default`/booleans, else maybe undefined. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]: O[K]['multiple'] extends true
    ? ValueOf<O[K]>[]
    : O[K]['required'] extends true
      ? ValueOf<O[K]>
      : O[K]['type'] extends 'boolean'
        ? boolean
        : O[K]['default'] extends string
          ? ValueOf<O[K]>
          : ValueOf<O[K]> | undefined;
};

export interface CliContext<O extends OptionSpecs = OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly args: readonly string[];
  readonly config: Config;
  /** A result line, on stdout: `gatehouse … > file` keeps results and nothing else. */
  readonly out: (line: string) => void;
  /** Progress, warnings and hints, on stderr. */
  readonly note: (line: string) => void;
  /** The configured store, opened on first use and closed when the command ends. */
  readonly gatehouse: () => Promise<Gatehouse>;
  /** The configured account (GATEHOUSE_ACCOUNT_ID); refused, saying how to create it, when it does not exist. */
  readonly account: () => Promise<Account>;
}

/**
 * A command of the `gatehouse` CLI. To add one: write it with `defineCommand` in
 * `cli/commands/<name>.ts` and list it in `cli/commands/index.ts`; its usage line, help and
 * the checks of its options come from this description.
 */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** One word (`bootstrap`) or a group and a verb (`users add`). */
  readonly name: string;
  /** One line for the usage text. */
  readonly summary: string;
  readonly options: O;
  readonly args?: readonly ArgSpec[];
  /** Exit code of a usage mistake (default 2); `gate` keeps 2 for "timed out" and says 3. */
  readonly usageExitCode?: number;
  /** The exit code (default 0). Throw UsageError for a usage mistake (exit 2), CliError to refuse (exit 1). */
  run(ctx: CliContext<O>): Promise<number | void>;
}

/** Keeps the option types of a command literal, so `values` is typed from its options. */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** A refusal worded for the operator; exit 1. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The command line itself is wrong; exit 2, with the usage of the command (or of all). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command: Command | null = null,
  ) {
    super(message, 2);
  }
}

// ---------------------------------------------------------------- usage text

function optionUsage(name: string, o: OptionSpec): string {
  const flag = o.type === 'boolean' ? `--${name}` : o.choices ? `--${name} ${o.choices.join('|')}` : `--${name} <${o.value ?? 'value'}>`;
  const shown = o.required ? flag : `[${flag}]`;
  return o.multiple ? `${shown}…` : shown;
}

/** `gatehouse key --user <user id> --name <key name> [--kind api_key|personal_token]` */
export function usageLine(c: Command): string {
  const options = Object.entries(c.options).map(([name, o]) => optionUsage(name, o));
  const args = (c.args ?? []).map((a) => (a.optional ? `[<${a.name}>]` : `<${a.name}>`));
  return [PROGRAM, c.name, ...options, ...args].join(' ');
}

/** The usage of every command, generated from the registry. */
export function usage(commands: readonly Command[]): string {
  const lines = [`usage: ${PROGRAM} <command> [options]`, 'Store and account come from the environment or ./.env (see .env.example); results go to stdout, everything else to stderr.', '', 'commands:'];
  for (const c of commands) lines.push(`  ${usageLine(c).slice(PROGRAM.length + 1)}`, `      ${c.summary}`);
  lines.push('', `"${PROGRAM} <command> --help" describes a command's options.`);
  return `${lines.join('\n')}\n`;
}

/** One command's help: its usage line, summary and options. */
export function commandHelp(c: Command): string {
  const lines = [`usage: ${usageLine(c)}`, '', c.summary];
  const options = Object.entries(c.options);
  if (options.length > 0) {
    lines.push('', 'options:');
    const shown = options.map(([name, o]) => [optionUsage(name, { ...o, required: true, multiple: false }), o] as const);
    const width = Math.max(...shown.map(([flag]) => flag.length));
    for (const [flag, o] of shown) {
      const notes = [o.required ? 'required' : '', o.multiple ? 'may be repeated' : '', o.default !== undefined ? `default ${o.default}` : ''].filter(Boolean);
      lines.push(`  ${flag.padEnd(width)}  ${o.help}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- finding the command

const HELP = new Set(['help', '--help', '-h']);

/** The command the words name, and the arguments after them; UsageError for anything else. */
export function findCommand(argv: readonly string[], commands: readonly Command[]): { command: Command; rest: string[] } {
  const [first = '', second] = argv;
  const byName = new Map(commands.map((c) => [c.name, c]));
  const single = byName.get(first);
  if (single) return { command: single, rest: argv.slice(1) };
  if (first.startsWith('-')) throw new UsageError(`the command comes first: ${PROGRAM} <command> [options] (got "${first}")`);
  const pair = second !== undefined ? byName.get(`${first} ${second}`) : undefined;
  if (pair) return { command: pair, rest: argv.slice(2) };

  const groups = new Map<string, string[]>();
  for (const c of commands) {
    const [group, verb] = c.name.split(' ');
    if (group && verb) groups.set(group, [...(groups.get(group) ?? []), verb]);
  }
  const verb = second !== undefined && !second.startsWith('-') ? second : undefined;
  const topLevel = [...commands.filter((c) => !c.name.includes(' ')).map((c) => c.name), ...groups.keys()];
  const group = groups.has(first) ? first : closest(first, topLevel);
  const verbs = group !== undefined ? groups.get(group) : undefined;
  if (group === first && verbs) {
    if (verb === undefined) throw new UsageError(`"${first}" needs one of: ${verbs.map((v) => `${first} ${v}`).join(', ')}`);
    throw new UsageError(`unknown command "${first} ${verb}"${didYouMean(verb, verbs, (v) => `"${first} ${v}"`)}`);
  }
  // A typo in the group (`user add`): suggest the group with the nearest of its verbs.
  if (verbs && verb !== undefined) {
    const v = closest(verb, verbs);
    if (v !== undefined) throw new UsageError(`unknown command "${first} ${verb}" — did you mean "${group} ${v}"?`);
  }
  throw new UsageError(`unknown command "${first}"${group !== undefined ? ` — did you mean "${group}"?` : ''}`);
}

// ---------------------------------------------------------------- options

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;

function parseOptions(command: Command, rest: string[]): { values: Record<string, unknown>; args: string[]; help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(command.options)) options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}) };
  const allowPositionals = (command.args?.length ?? 0) > 0;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError(explainParseError(command, rest, options, err), command);
  }
  const values = { ...parsed.values };
  const { positionals } = parsed;
  if (values.help === true) return { values, args: positionals, help: true };
  delete values.help;

  const missing = Object.entries(command.options).filter(([name, o]) => o.required && values[name] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map(([name, o]) => optionUsage(name, { ...o, required: true, multiple: false })).join(', ')}`, command);
  for (const [name, o] of Object.entries(command.options)) {
    if (o.choices) {
      const given = values[name];
      for (const v of Array.isArray(given) ? (given as string[]) : typeof given === 'string' ? [given] : []) {
        if (!o.choices.includes(v)) throw new UsageError(`--${name} "${v}" is not one of ${o.choices.join(', ')}${didYouMean(v, o.choices)}`, command);
      }
    }
    if (values[name] === undefined) values[name] = o.multiple ? [] : o.type === 'boolean' ? false : o.default;
  }
  const specs = command.args ?? [];
  const needed = specs.filter((a) => !a.optional).length;
  if (positionals.length < needed) throw new UsageError(`missing ${specs.slice(positionals.length, needed).map((a) => `<${a.name}>`).join(' ')}`, command);
  if (allowPositionals && positionals.length > specs.length) throw new UsageError(`unexpected argument "${positionals[specs.length] ?? ''}"`, command);
  return { values, args: positionals, help: false };
}

/** parseArgs's strict errors, reworded: which option or argument, and the closest known one. */
function explainParseError(command: Command, rest: string[], options: NonNullable<ParseArgsConfig['options']>, err: unknown): string {
  const known = Object.keys(options).filter((n) => n !== 'help');
  const { tokens } = parseArgs({ args: rest, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'option' && !(t.name in options)) {
      return `unknown option ${t.rawName}${didYouMean(t.name, known, (n) => `--${n}`)}${known.length ? '' : ` ("${command.name}" takes no options)`}`;
    }
    if (t.kind === 'option' && options[t.name]?.type === 'string' && t.value === undefined) return `${t.rawName} needs a value`;
    if (t.kind === 'option' && options[t.name]?.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`;
    if (t.kind === 'positional' && !command.args?.length) return `unexpected argument "${t.value}" ("${command.name}" takes options only)`;
  }
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------- running

export interface CliIo {
  /** Where `.env` is looked for. */
  readonly cwd: string;
  /** The environment; `.env` fills in what it lacks. */
  readonly env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs one command line and returns the exit code: 0 done, 1 refused or failed, 2 the command
 * line is wrong. Usage mistakes are found before `.env`, the configuration or the store are read.
 */
export async function runCli(argv: readonly string[], commands: readonly Command[], io: CliIo): Promise<number> {
  const err = (line: string) => io.stderr(`${line}\n`);
  if (argv.length === 0) {
    io.stderr(usage(commands));
    return 0;
  }
  let gatehouse: Promise<Gatehouse> | undefined;
  try {
    if (argv[0] !== undefined && HELP.has(argv[0])) {
      const rest = argv.slice(1);
      io.stdout(rest.length > 0 ? commandHelp(findCommand(rest, commands).command) : usage(commands));
      return 0;
    }
    const { command, rest } = findCommand(argv, commands);
    const { values, args, help } = parseOptions(command, rest);
    if (help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const config = loadConfig(io.env, readDotEnv(io.cwd, io.env));
    const open = () => (gatehouse ??= Gatehouse.open({ url: config.GATEHOUSE_STORE, watchMs: null }));
    const ctx: CliContext = {
      values: values as OptionValues<OptionSpecs>,
      args,
      config,
      out: (line) => io.stdout(`${line}\n`),
      note: err,
      gatehouse: open,
      account: async () => {
        const account = await (await open()).account(config.GATEHOUSE_ACCOUNT_ID);
        if (!account.exists) {
          throw new CliError(`account ${config.GATEHOUSE_ACCOUNT_ID} (GATEHOUSE_ACCOUNT_ID) does not exist in ${config.GATEHOUSE_STORE}: create it with "${PROGRAM} bootstrap --admin <Slack user id>"`);
        }
        return account;
      },
    };
    return (await command.run(ctx)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${PROGRAM}${e.command ? ` ${e.command.name}` : ''}: ${e.message}`);
      io.stderr(e.command ? `usage: ${usageLine(e.command)}\n` : `\n${usage(commands)}`);
      return e.command?.usageExitCode ?? e.exitCode;
    }
    if (e instanceof CliError) {
      err(e.message);
      return e.exitCode;
    }
    err(isGatehouseError(e) ? `refused (${e.code}): ${e.message}` : e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    // A store that failed to open was reported above; one that fails to close is reported here.
    await gatehouse?.then(
      (g) => g.close().catch((e: unknown) => err(`closing the store failed: ${e instanceof Error ? e.message : String(e)}`)),
      () => undefined,
    );
  }
}

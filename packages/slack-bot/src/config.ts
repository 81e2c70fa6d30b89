import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { IdSchema } from '@gatehouse/core';
import { z } from 'zod';

/** Booleans from the environment: 1/true/yes and 0/false/no. */
const Flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const CommaList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** One Slack team id, or several comma-separated (the first is the default); a repeat counts once. */
const AccountIds = CommaList.transform((ids, ctx): readonly [string, ...string[]] => {
  for (const id of ids) {
    if (!IdSchema.safeParse(id).success) ctx.addIssue({ code: 'custom', message: `"${id.slice(0, 70)}" is not a Slack team id (T…, 1-64 letters, digits, _ . : -); give one id, or several comma-separated` });
  }
  const [first, ...rest] = [...new Set(ids)];
  if (first === undefined) {
    ctx.addIssue({ code: 'custom', message: 'no team id: give the Slack team id (T…) of the workspace, or several comma-separated' });
    return z.NEVER;
  }
  return [first, ...rest];
});

/**
 * Everything the server reads from the environment, parsed once. Unknown variables are ignored;
 * bad values stop start-up with a message naming the variable.
 */
export const ConfigVariablesSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** `sqlite://<file>` (default), `memory`, or `postgres://…` / `redis://host:port` for several instances. */
  GATEHOUSE_STORE: z.string().default('sqlite://gatehouse.sqlite'),
  /**
   * The Slack workspace(s) (team ids) this server serves, comma-separated; no other account in the
   * store is served. The first is the default account (CLI, bootstrap, GitHub App, payloads without a team).
   */
  GATEHOUSE_ACCOUNT_ID: AccountIds.default(['T00000000']),
  GATEHOUSE_ACCOUNT_NAME: z.string().default('Gatehouse'),
  /** Slack user ids of the first Admins, comma-separated (used when the account does not exist yet). */
  GATEHOUSE_BOOTSTRAP_ADMINS: CommaList.default([]),
  /** Channel for approval messages of products without their own channel. */
  GATEHOUSE_DEFAULT_CHANNEL: z.string().optional(),
  /** The CLI talks to this running server instead of the store when set with GATEHOUSE_TOKEN (config, version, gate …). */
  GATEHOUSE_URL: z.string().url('GATEHOUSE_URL is the server\'s base URL, e.g. https://gatehouse.example.com').optional(),
  /** An API key or personal token for GATEHOUSE_URL; its owner acts. */
  GATEHOUSE_TOKEN: z.string().min(1).optional(),
  /** Requests per minute per API key. */
  GATEHOUSE_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  GATEHOUSE_BODY_LIMIT: z.string().default('64kb'),
  /** How often expired grants are swept (ms). */
  GATEHOUSE_SWEEP_MS: z.coerce.number().int().min(1000).default(60_000),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'SLACK_BOT_TOKEN is the bot token and starts with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  /** App-level token (xapp-…): when set the app runs in Socket Mode. */
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'SLACK_APP_TOKEN is the app-level token and starts with xapp-').optional(),
  SLACK_SOCKET_MODE: Flag.optional(),
  SLACK_COMMAND: z.string().regex(/^\/[a-z0-9_-]+$/, 'SLACK_COMMAND is a slash command like /gatehouse').default('/gatehouse'),
  /** Slack Web API base URL (tests point it at a local fake). */
  SLACK_API_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** The GitHub App's id (App settings → About → App ID): Gatehouse as a deployment protection rule. */
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'GITHUB_APP_ID is the numeric App ID (GitHub App settings → About)').optional(),
  /** The App's private key (PEM); `\n` escapes stand for line breaks. Or GITHUB_APP_PRIVATE_KEY_FILE. */
  GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  GITHUB_APP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** The App's webhook secret: deliveries to /github/webhook must be signed with it. */
  GITHUB_WEBHOOK_SECRET: z.string().min(8, 'GITHUB_WEBHOOK_SECRET is at least 8 characters').optional(),
  /** GitHub's REST API (GitHub Enterprise Server: https://<host>/api/v3). */
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  /** Who creates versions for GitHub runs: a service account's user id, or the system (default). */
  GITHUB_SERVICE_ACCOUNT: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/).optional(),
  /** First delay before retrying a callback GitHub did not accept (ms); doubles up to 5 minutes. */
  GITHUB_CALLBACK_RETRY_MS: z.coerce.number().int().min(1).default(1000),
});

/**
 * The parsed configuration: the variables, with `GATEHOUSE_ACCOUNT_ID` the default account and
 * `servedAccounts` every account the server serves (the default first).
 */
export const ConfigSchema = ConfigVariablesSchema.transform(({ GATEHOUSE_ACCOUNT_ID: ids, ...rest }) => ({
  ...rest,
  GATEHOUSE_ACCOUNT_ID: ids[0],
  servedAccounts: ids,
}));
export type Config = z.output<typeof ConfigSchema>;

/** Whether this server serves the account (a Slack team id): GATEHOUSE_ACCOUNT_ID names it. */
export function serves(config: Pick<Config, 'servedAccounts'>, accountId: string): boolean {
  return config.servedAccounts.includes(accountId);
}

export type GithubMode =
  | { kind: 'on'; appId: string; privateKey: string; webhookSecret: string; apiUrl: string; serviceAccount: string | null; retryMs: number }
  | { kind: 'off'; reason: string };

export type SlackMode = { kind: 'socket'; botToken: string; appToken: string } | { kind: 'http'; botToken: string; signingSecret: string } | { kind: 'off'; reason: string };

/** A `.env` file that was read, and the variables it set (those the environment did not have). */
export interface DotEnv {
  readonly path: string;
  readonly keys: readonly string[];
}

/** `NAME=value`, optionally after `export `, as Node's own .env parser reads it. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/**
 * Reads `.env` from the folder (default: the current one) into `env` when the file exists.
 * Variables already set in the environment win. A line that is not `NAME=value` (or a comment)
 * stops with the file and line named: Node's parser would silently glue it to the next line.
 */
export function readDotEnv(dir: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): DotEnv | null {
  const path = join(dir, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  checkDotEnvLines(text, path);
  const keys: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || env[key] !== undefined) continue;
    env[key] = value;
    keys.push(key);
  }
  return { path, keys };
}

function checkDotEnvLines(text: string, path: string): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) throw new Error(`${path}:${i + 1}: expected NAME=value (or a # comment), found "${trimmed.slice(0, 60)}"`);
    const value = m[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) === -1) {
      // A quoted value may go on over several lines, up to the line that closes it.
      let end = i + 1;
      while (end < lines.length && !(lines[end] ?? '').includes(quote)) end++;
      if (end >= lines.length) throw new Error(`${path}:${i + 1}: the value of ${m[1]} opens a ${quote} quote that is never closed`);
      i = end;
    }
  }
}

/**
 * Parses the environment; throws an Error listing every bad variable (and, for those `.env`
 * set, naming the file).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotEnv: DotEnv | null = null): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const name = i.path.join('.');
      return `  ${name}${dotEnv?.keys.includes(name) ? ` (set in ${dotEnv.path})` : ''}: ${i.message}`;
    });
    throw new Error(`invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  return r.data;
}

/** Which Slack transport the configuration asks for, or why Slack is off. */
export function slackMode(c: Config): SlackMode {
  if (!c.SLACK_BOT_TOKEN) {
    return { kind: 'off', reason: 'SLACK_BOT_TOKEN is not set: Slack is off, the REST API still serves. Create the app from packages/slack-bot/manifest.yaml, then set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).' };
  }
  const wantSocket = c.SLACK_SOCKET_MODE ?? c.SLACK_APP_TOKEN !== undefined;
  if (wantSocket) {
    if (!c.SLACK_APP_TOKEN) return { kind: 'off', reason: 'Socket Mode needs SLACK_APP_TOKEN (xapp-…, an app-level token with connections:write).' };
    return { kind: 'socket', botToken: c.SLACK_BOT_TOKEN, appToken: c.SLACK_APP_TOKEN };
  }
  if (!c.SLACK_SIGNING_SECRET) return { kind: 'off', reason: 'HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials).' };
  return { kind: 'http', botToken: c.SLACK_BOT_TOKEN, signingSecret: c.SLACK_SIGNING_SECRET };
}

/**
 * Whether Gatehouse serves as a GitHub deployment protection rule, or what to set. Reads the
 * private key file here, so a missing file stops start-up with its name.
 */
export function githubMode(c: Config): GithubMode {
  const missing = [
    c.GITHUB_APP_ID ? null : 'GITHUB_APP_ID',
    c.GITHUB_APP_PRIVATE_KEY || c.GITHUB_APP_PRIVATE_KEY_FILE ? null : 'GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE)',
    c.GITHUB_WEBHOOK_SECRET ? null : 'GITHUB_WEBHOOK_SECRET',
  ].filter((x): x is string => x !== null);
  if (!c.GITHUB_APP_ID || !c.GITHUB_WEBHOOK_SECRET || missing.length) {
    return { kind: 'off', reason: `the GitHub App is not configured: set ${missing.join(', ')} (see .env.example, "GitHub App")` };
  }
  let privateKey = c.GITHUB_APP_PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (c.GITHUB_APP_PRIVATE_KEY_FILE) {
    try {
      privateKey = readFileSync(c.GITHUB_APP_PRIVATE_KEY_FILE, 'utf8');
    } catch (err) {
      throw new Error(`GITHUB_APP_PRIVATE_KEY_FILE=${c.GITHUB_APP_PRIVATE_KEY_FILE}: cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  if (!privateKey?.includes('PRIVATE KEY-----')) throw new Error('the GitHub App private key is not a PEM key ("-----BEGIN RSA PRIVATE KEY-----" …): download it from the App settings → Private keys');
  return {
    kind: 'on',
    appId: c.GITHUB_APP_ID,
    privateKey,
    webhookSecret: c.GITHUB_WEBHOOK_SECRET,
    apiUrl: c.GITHUB_API_URL.replace(/\/+$/, ''),
    serviceAccount: c.GITHUB_SERVICE_ACCOUNT ?? null,
    retryMs: c.GITHUB_CALLBACK_RETRY_MS,
  };
}

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { Logger } from '@gatehouse/core';
import { Gatehouse, consoleLogger, isGatehouseError } from '@gatehouse/core';
import { API_PREFIX } from '@gatehouse/core/contract';
import express from 'express';
import type { Express } from 'express';
import type { AdminsOutcome } from './bootstrap.js';
import { ensureAdmins } from './bootstrap.js';
import type { Config } from './config.js';
import { githubMode, slackMode } from './config.js';
import type { ReviewSender } from './github/app-client.js';
import { GithubApp } from './github/app-client.js';
import type { CallbackWorkerOptions } from './github/callbacks.js';
import { CallbackWorker } from './github/callbacks.js';
import { githubWebhookRouter } from './github/webhook.js';
import { restRouter } from './rest/api.js';
import type { SlackRuntime } from './slack/runtime.js';
import { startSlack } from './slack/runtime.js';

export const VERSION = '0.1.0';

export interface ServerOverrides {
  gatehouse?: Gatehouse;
  logger?: Logger;
  /** The GitHub callback worker's timings and instance name, and (tests) what sends the callbacks. */
  github?: Pick<CallbackWorkerOptions, 'instance' | 'leaseMs' | 'scanMs' | 'maxRetryMs'> & { sender?: ReviewSender };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly gatehouse: Gatehouse;
  readonly app: Express;
  readonly slack: SlackRuntime | null;
  /** Answers GitHub's deployment protection rules; null when the GitHub App is not configured. */
  readonly github: CallbackWorker | null;
  close(): Promise<void>;
}

/**
 * Makes the users of GATEHOUSE_BOOTSTRAP_ADMINS Admins of the account, on every start: the
 * account is created with them when it does not exist; on an existing one each is granted the
 * global Admin role unless they hold it (which changes nothing). A deactivated user is not
 * reactivated: that is logged as a warning and start-up goes on.
 */
export async function bootstrapAccount(gatehouse: Gatehouse, config: Config, logger: Logger): Promise<void> {
  const accountId = config.GATEHOUSE_ACCOUNT_ID;
  const userIds = config.GATEHOUSE_BOOTSTRAP_ADMINS;
  if (userIds.length === 0) {
    const account = await gatehouse.account(accountId);
    if (!account.exists) logger.warn(`account ${accountId} does not exist yet: set GATEHOUSE_BOOTSTRAP_ADMINS to the Slack user id(s) of the first Admin(s), or run "npm run demo" for demo data`);
    return;
  }
  let r: AdminsOutcome;
  try {
    r = await ensureAdmins(gatehouse, accountId, { name: config.GATEHOUSE_ACCOUNT_NAME, userIds });
  } catch (err) {
    throw new Error(`GATEHOUSE_BOOTSTRAP_ADMINS: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (r.created) logger.info('account created', { account: accountId, admins: r.made });
  else if (r.made.length > 0) logger.info('GATEHOUSE_BOOTSTRAP_ADMINS: made Admin of the existing account', { account: accountId, made: r.made, already: r.already });
  else if (r.already.length > 0) logger.info('GATEHOUSE_BOOTSTRAP_ADMINS: Admins already, nothing changed', { account: accountId, already: r.already });
  for (const x of r.refused) {
    logger.warn(
      `GATEHOUSE_BOOTSTRAP_ADMINS: ${x.reason}, so not made Admin (start-up does not reactivate users): reactivate them with "npm run gatehouse -- users reactivate --user ${x.userId}", or take them out of GATEHOUSE_BOOTSTRAP_ADMINS`,
      { account: accountId, userId: x.userId },
    );
  }
}

/**
 * Listens on the port, or fails with words an operator can act on. (Express 5's `app.listen`
 * calls its callback with the error too, which the old code took for success.)
 */
function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, port, host)));
    server.listen(port, host, () => resolve(server));
  });
}

function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new Error(`port ${port} is already in use (another Gatehouse?): stop it or set PORT=<free port> (PORT=0 picks one)`, { cause: err });
    case 'EACCES':
      return new Error(`port ${port} needs privileges this process does not have: set PORT to 1024 or above (PORT=0 picks one)`, { cause: err });
    case 'EADDRNOTAVAIL':
      return new Error(`HOST=${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all`, { cause: err });
    default:
      return new Error(`could not listen on ${host}:${port}: ${err.message}`, { cause: err });
  }
}

/**
 * Whether the store answers and still holds what this instance has seen (a store that lost data
 * is unhealthy: the instance refuses to write to it). Null when healthy; bounded to 2 s.
 */
async function storeHealth(gatehouse: Gatehouse): Promise<{ code: string; message: string } | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the store did not answer within 2 s')), 2_000);
  });
  try {
    await Promise.race([gatehouse.store.checkHealth?.() ?? Promise.resolve(), timeout]);
    return null;
  } catch (err) {
    // A health answer is no write: it says the store is away, not that "nothing was changed".
    if (!isGatehouseError(err) || err.code === 'storage_unavailable') {
      return { code: 'storage_unavailable', message: `the ${gatehouse.store.kind} store cannot be reached: writes are refused until it is back (reads are answered from memory)` };
    }
    return { code: err.code, message: err.message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the whole server in one process: /healthz, the REST API under /api/v1 and, when
 * configured, the Slack app (HTTP mode on the same port, or Socket Mode).
 */
export async function startServer(config: Config, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const logger = overrides.logger ?? consoleLogger;
  // Before anything opens: an unreadable private key file stops start-up with its name.
  const github = githubMode(config);
  const gatehouse = overrides.gatehouse ?? (await Gatehouse.open({ url: config.GATEHOUSE_STORE, logger }));
  let slack: SlackRuntime | null = null;
  const mode = slackMode(config);
  const app = express();
  // Aborted at shutdown: long-polls waiting for an evaluation are answered instead of holding the server open.
  const stopping = new AbortController();
  let server: Server;
  try {
    await bootstrapAccount(gatehouse, config, logger);

    app.disable('x-powered-by');
    app.get('/healthz', (_req, res) => {
      void storeHealth(gatehouse).then((problem) => {
        if (!problem) return void res.json({ ok: true, store: gatehouse.store.kind, version: VERSION });
        logger.error('health check failed', { ...problem });
        res.status(503).json({ ok: false, store: gatehouse.store.kind, version: VERSION, error: problem });
      });
    });
    app.use(githubWebhookRouter({ gatehouse, accountId: config.GATEHOUSE_ACCOUNT_ID, mode: github, logger }));
    app.use(API_PREFIX, restRouter({ gatehouse, serves: config.servedAccounts, rateLimit: config.GATEHOUSE_RATE_LIMIT, bodyLimit: config.GATEHOUSE_BODY_LIMIT, version: VERSION, logger, stopping: stopping.signal }));

    if (mode.kind === 'off') logger.warn(mode.reason);
    else slack = await startSlack({ config, mode, gatehouse, expressApp: app, logger });

    server = await listen(app, config.PORT, config.HOST);
  } catch (err) {
    // Whatever was started goes down with the failed start: a caller that catches the error
    // (a test, a supervisor) is not left with a Slack connection or an open store.
    await slack?.stop();
    if (!overrides.gatehouse) await gatehouse.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let callbacks: CallbackWorker | null = null;
  if (github.kind === 'on') {
    const sender = overrides.github?.sender ?? new GithubApp({ appId: github.appId, privateKey: github.privateKey, apiUrl: github.apiUrl });
    callbacks = new CallbackWorker({ ...overrides.github, gatehouse, sender, logger, accountIds: config.servedAccounts, retryMs: github.retryMs });
    callbacks.start();
  }

  // Only the accounts this server serves, though the store may hold others (another server's).
  const sweep = setInterval(() => {
    gatehouse.sweepExpired(config.servedAccounts).catch((err: unknown) => logger.error('expiry sweep failed', { err: String(err) }));
    // Reminders, escalations, timeouts and undecided access requests: each due item once, whichever instance ticks first.
    gatehouse.runFollowUps(config.servedAccounts).catch((err: unknown) => logger.error('approval follow-up failed', { err: String(err) }));
  }, config.GATEHOUSE_SWEEP_MS);
  sweep.unref();

  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  logger.info('gatehouse listening', { url: `http://${host}:${port}`, store: gatehouse.store.kind, slack: mode.kind, github: github.kind });
  if (github.kind === 'off' && (config.GITHUB_APP_ID || config.GITHUB_WEBHOOK_SECRET || config.GITHUB_APP_PRIVATE_KEY || config.GITHUB_APP_PRIVATE_KEY_FILE)) logger.warn(github.reason);
  return {
    url: `http://${host}:${port}`,
    port,
    gatehouse,
    app,
    slack,
    github: callbacks,
    async close() {
      clearInterval(sweep);
      stopping.abort();
      await callbacks?.stop();
      await slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      if (!overrides.gatehouse) await gatehouse.close();
    },
  };
}

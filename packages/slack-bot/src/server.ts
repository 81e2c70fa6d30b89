import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from '@gatehouse/core';
import { Gatehouse, consoleLogger } from '@gatehouse/core';
import { API_PREFIX } from '@gatehouse/core/contract';
import express from 'express';
import type { Express } from 'express';
import type { Config } from './config.js';
import { slackMode } from './config.js';
import { restRouter } from './rest/api.js';
import type { SlackRuntime } from './slack/runtime.js';
import { startSlack } from './slack/runtime.js';

export const VERSION = '0.1.0';

export interface ServerOverrides {
  gatehouse?: Gatehouse;
  logger?: Logger;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly gatehouse: Gatehouse;
  readonly app: Express;
  readonly slack: SlackRuntime | null;
  close(): Promise<void>;
}

/** Creates the account from GATEHOUSE_BOOTSTRAP_ADMINS if it does not exist yet. */
export async function bootstrapAccount(gatehouse: Gatehouse, config: Config, logger: Logger): Promise<void> {
  const account = await gatehouse.account(config.GATEHOUSE_ACCOUNT_ID);
  if (account.exists) return;
  if (config.GATEHOUSE_BOOTSTRAP_ADMINS.length === 0) {
    logger.warn(`account ${config.GATEHOUSE_ACCOUNT_ID} does not exist yet: set GATEHOUSE_BOOTSTRAP_ADMINS to the Slack user id(s) of the first Admin(s), or run "npm run demo" for demo data`);
    return;
  }
  await gatehouse.createAccount(config.GATEHOUSE_ACCOUNT_ID, {
    name: config.GATEHOUSE_ACCOUNT_NAME,
    admins: config.GATEHOUSE_BOOTSTRAP_ADMINS.map((userId) => ({ userId })),
  });
  logger.info('account created', { account: config.GATEHOUSE_ACCOUNT_ID, admins: config.GATEHOUSE_BOOTSTRAP_ADMINS });
}

/**
 * Starts the whole server in one process: /healthz, the REST API under /api/v1 and, when
 * configured, the Slack app (HTTP mode on the same port, or Socket Mode).
 */
export async function startServer(config: Config, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const logger = overrides.logger ?? consoleLogger;
  const gatehouse = overrides.gatehouse ?? (await Gatehouse.open({ url: config.GATEHOUSE_STORE, logger }));
  await bootstrapAccount(gatehouse, config, logger);

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, store: gatehouse.store.kind, version: VERSION });
  });
  // Aborted at shutdown: long-polls waiting for an evaluation are answered instead of holding the server open.
  const stopping = new AbortController();
  app.use(API_PREFIX, restRouter({ gatehouse, rateLimit: config.GATEHOUSE_RATE_LIMIT, bodyLimit: config.GATEHOUSE_BODY_LIMIT, version: VERSION, logger, stopping: stopping.signal }));

  const mode = slackMode(config);
  let slack: SlackRuntime | null = null;
  if (mode.kind === 'off') logger.warn(mode.reason);
  else slack = await startSlack({ config, mode, gatehouse, expressApp: app, logger });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  const sweep = setInterval(() => {
    gatehouse.sweepExpired().catch((err: unknown) => logger.error('expiry sweep failed', { err: String(err) }));
  }, config.GATEHOUSE_SWEEP_MS);
  sweep.unref();

  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  logger.info('gatehouse listening', { url: `http://${host}:${port}`, store: gatehouse.store.kind, slack: mode.kind });
  return {
    url: `http://${host}:${port}`,
    port,
    gatehouse,
    app,
    slack,
    async close() {
      clearInterval(sweep);
      stopping.abort();
      await slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      if (!overrides.gatehouse) await gatehouse.close();
    },
  };
}

import type { Logger as CoreLogger } from '@gatehouse/core';
import type { Logger as BoltLogger } from '@slack/bolt';
import { App, ExpressReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import express from 'express';
import type { Config } from '../config.js';
import { refuseFutureRequests, refuseLargeBodies } from './guard.js';
import { SLACK_EVENTS_PATH } from './ids.js';
import { registerListeners } from './listeners/index.js';
import { Notifier } from './notifier.js';
import { SeenSet } from './queue.js';
import type { SlackDeps } from './runtime.js';

export interface SlackApp {
  readonly app: App;
  readonly notifier: Notifier;
  /** Socket Mode only: its receiver, whose client shutdown waits for (Bolt's stop() does not). */
  readonly socket: SocketModeReceiver | null;
}

/**
 * The largest Slack request body read (Bolt's default is 4 MB). Slack's payloads are far smaller —
 * a modal's submission with 100 blocks of 3,000-character inputs is about 400 kB — so a larger
 * body is refused (413) before it is read: with a Content-Length, at once.
 */
export const SLACK_BODY_LIMIT = 1024 * 1024;

const LEVELS: Record<Config['LOG_LEVEL'], LogLevel> = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR };
const RANK: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

function text(parts: unknown[]): string {
  return parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
}

/** Bolt's logger interface on top of ours, so Bolt's lines share the server's JSON log. */
export function boltLogger(logger: CoreLogger, level: Config['LOG_LEVEL']): BoltLogger {
  let current = LEVELS[level];
  let name = 'bolt';
  const on = (l: LogLevel) => RANK[l] >= RANK[current];
  return {
    debug: (...m: unknown[]) => {
      if (on(LogLevel.DEBUG)) logger.info(text(m), { source: name, level: 'debug' });
    },
    info: (...m: unknown[]) => {
      if (on(LogLevel.INFO)) logger.info(text(m), { source: name });
    },
    warn: (...m: unknown[]) => {
      if (on(LogLevel.WARN)) logger.warn(text(m), { source: name });
    },
    error: (...m: unknown[]) => {
      if (on(LogLevel.ERROR)) logger.error(text(m), { source: name });
    },
    setLevel: (l: LogLevel) => {
      current = l;
    },
    getLevel: () => current,
    setName: (n: string) => {
      name = n;
    },
  };
}

/**
 * Web API client options: a local API (tests) gets no retries, so a refusal surfaces at once.
 * Bolt's client (the listeners' calls: ephemeral answers, modals) keeps the web-api default for
 * HTTP 429: it pauses all of its calls for the Retry-After and tries again (with retries, i.e. not
 * against a local API). The notifier's calls use `notifierClient` instead.
 */
export function clientOptions(config: Config): WebClientOptions {
  if (!config.SLACK_API_URL) return {};
  const url = config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/`;
  return { slackApiUrl: url, retryConfig: { retries: 0 } };
}

/**
 * The notifier's own client: a 429 is thrown at once (`rejectRateLimitedCalls`) with Slack's
 * Retry-After, and the notifier's queue waits that long for that method and channel only before
 * making the call again (see KeyedQueue). The web-api default would pause every call of the client
 * — other channels', and with retries at 0 it would drop the message after waiting.
 */
export function notifierClient(token: string, options: WebClientOptions): WebClient {
  return new WebClient(token, { ...options, rejectRateLimitedCalls: true });
}

/**
 * Builds the Bolt app for the configured transport. HTTP mode mounts Slack's endpoint
 * (`/slack/events`) on the server's express app, so it shares the REST API's port, behind a
 * guard that refuses future-dated requests. Socket Mode needs no public URL. Construction makes
 * no network call (`deferInitialization`): `app.init()` runs auth.test once at start.
 */
export function buildSlackApp(deps: SlackDeps): SlackApp {
  const { config, mode } = deps;
  const logger = boltLogger(deps.logger, config.LOG_LEVEL);
  const options = clientOptions(config);
  const common = { token: mode.botToken, deferInitialization: true, clientOptions: options, logger } as const;
  let app: App;
  let socket: SocketModeReceiver | null = null;
  if (mode.kind === 'http') {
    const router = express.Router();
    router.use(SLACK_EVENTS_PATH, refuseLargeBodies(deps.logger, SLACK_BODY_LIMIT), refuseFutureRequests(deps.logger));
    const receiver = new ExpressReceiver({ signingSecret: mode.signingSecret, app: deps.expressApp, router, endpoints: SLACK_EVENTS_PATH, logger, bodyLimit: SLACK_BODY_LIMIT });
    app = new App({ ...common, receiver });
  } else {
    // The Socket Mode client opens its connection with apps.connections.open: same API URL.
    socket = new SocketModeReceiver({ appToken: mode.appToken, logger, installerOptions: { clientOptions: options } });
    app = new App({ ...common, receiver: socket });
  }
  const notifier = new Notifier({ gatehouse: deps.gatehouse, client: notifierClient(mode.botToken, { ...options, logger }), config, logger: deps.logger });
  registerListeners(app, { gatehouse: deps.gatehouse, config, logger: deps.logger, notifier, seen: new SeenSet() });
  app.error((err) => {
    deps.logger.error('slack listener failed', { err: err.message, code: (err as { code?: unknown }).code ?? null });
    return Promise.resolve();
  });
  return { app, notifier, socket };
}

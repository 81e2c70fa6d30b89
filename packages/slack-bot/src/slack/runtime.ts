import type { Gatehouse, Logger } from '@gatehouse/core';
import type { Express } from 'express';
import type { Config, SlackMode } from '../config.js';
import { buildSlackApp } from './app.js';

export interface SlackRuntime {
  readonly mode: 'http' | 'socket';
  /** Resolves once every queued Slack notification has been sent. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackDeps {
  config: Config;
  mode: Exclude<SlackMode, { kind: 'off' }>;
  gatehouse: Gatehouse;
  /** In HTTP mode the Bolt receiver mounts its endpoint on this app (same port as the REST API). */
  expressApp: Express;
  logger: Logger;
}

/** How long start-up waits for Slack's auth.test before going on without it (the REST API must not wait for Slack). */
const INIT_WAIT_MS = 10_000;
/** How long shutdown waits for queued notifications. */
const STOP_WAIT_MS = 5_000;

function delay<T>(ms: number, value: T): { promise: Promise<T>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Starts the Slack app: checks the bot token (auth.test), subscribes the notifier to commits,
 * and in Socket Mode opens the connection. In HTTP mode the server's own listener serves
 * `/slack/events`. A token Slack refuses stops start-up with a clear message; a Slack that does
 * not answer in time does not hold up the REST API: the app finishes starting when it does.
 */
export async function startSlack(deps: SlackDeps): Promise<SlackRuntime> {
  const { app, notifier, socket } = buildSlackApp(deps);
  let stopped = false;
  const begin = () => {
    if (stopped) return;
    notifier.start();
    if (deps.mode.kind === 'socket') {
      app.start().then(
        () => deps.logger.info('slack socket mode connected'),
        (err: unknown) => deps.logger.error('slack socket mode could not connect: check SLACK_APP_TOKEN (xapp-…, connections:write)', { err: err instanceof Error ? err.message : String(err) }),
      );
    }
    deps.logger.info('slack app ready', { mode: deps.mode.kind, command: deps.config.SLACK_COMMAND });
  };

  const init = app.init().then(() => 'ready' as const);
  const wait = delay(INIT_WAIT_MS, 'slow' as const);
  let outcome: 'ready' | 'slow';
  try {
    outcome = await Promise.race([init, wait.promise]);
  } catch (err) {
    throw new Error(`Slack refused the bot token (auth.test: ${err instanceof Error ? err.message : String(err)}): check SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token)`);
  } finally {
    wait.cancel();
  }
  if (outcome === 'ready') begin();
  else {
    deps.logger.warn(`Slack did not answer auth.test within ${INIT_WAIT_MS / 1000} s: serving the REST API, the Slack app starts when Slack answers`);
    init.then(begin, (err: unknown) => deps.logger.error('the Slack app could not start (auth.test failed)', { err: err instanceof Error ? err.message : String(err) }));
  }

  return {
    mode: deps.mode.kind,
    idle: () => notifier.idle(),
    async stop() {
      if (stopped) return;
      stopped = true;
      const wait = delay(STOP_WAIT_MS, undefined);
      await Promise.race([notifier.stop(), wait.promise]);
      wait.cancel();
      if (socket) {
        // Close the WebSocket and wait for the close handshake (Bolt's app.stop() does not wait).
        const closing = delay(STOP_WAIT_MS, undefined);
        await Promise.race([socket.client.disconnect(), closing.promise]);
        closing.cancel();
      }
    },
  };
}

import type { Gatehouse, Logger } from '@gatehouse/core';
import type { Express } from 'express';
import type { Config, SlackMode } from '../config.js';

export interface SlackRuntime {
  readonly mode: 'http' | 'socket';
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

/** Starts the Slack app. (Placeholder until the Bolt app lands.) */
export function startSlack(deps: SlackDeps): Promise<SlackRuntime> {
  deps.logger.warn('the Slack app is not built yet: only the REST API is served');
  return Promise.resolve({ mode: deps.mode.kind, stop: () => Promise.resolve() });
}

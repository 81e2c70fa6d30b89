#!/usr/bin/env node
import { consoleLogger } from '@gatehouse/core';
import { loadConfig, readDotEnv } from './config.js';
import { startServer } from './server.js';

/** `npm start`: the server on the configured store (embedded SQLite by default). */
async function main(): Promise<void> {
  const dotEnv = readDotEnv();
  const config = loadConfig(process.env, dotEnv);
  if (dotEnv) consoleLogger.info('read .env (the environment wins over it)', { path: dotEnv.path, variables: dotEnv.keys });
  const server = await startServer(config);
  console.log(`Gatehouse is up: ${server.url}/healthz · REST API ${server.url}/api/v1 (OpenAPI: ${server.url}/api/v1/openapi.json)`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

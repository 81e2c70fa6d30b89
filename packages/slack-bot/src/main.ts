#!/usr/bin/env node
import { loadConfig } from './config.js';
import { startServer } from './server.js';

/** `npm start`: the server on the configured store (embedded SQLite by default). */
async function main(): Promise<void> {
  const config = loadConfig();
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

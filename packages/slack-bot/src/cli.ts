#!/usr/bin/env node
import { COMMANDS } from './cli/commands/index.js';
import { runCli } from './cli/registry.js';

/** `npm run gatehouse -- <command> …`: the commands are in cli/commands, the runner in cli/registry. */
runCli(process.argv.slice(2), COMMANDS, {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * The GitHub Action's entry (action.yml `runs.main`), bundled into one file by
 * scripts/build-action.mjs: the runner has none of this repository's node_modules.
 */
import { GATE_EXIT } from '../pipeline/gate.js';
import { runGateAction } from './gate-action.js';

runGateAction(process.env, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    // exitCode, not exit(): stdout may be an asynchronous pipe (Windows runners) still being written.
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = GATE_EXIT.error;
  },
);

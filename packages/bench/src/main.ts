#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { PartId } from './bench.js';
import { PARTS, renderReport, runBench } from './bench.js';
import { canGc } from './harness.js';

const USAGE = `npm run bench [-- --quick] [--only authz,rest,…] [--users 1000,10000] [--json FILE]

  --quick        every part on small sizes (well under a minute; numbers not meaningful)
  --only LIST    run only these parts: ${PARTS.join(', ')}
  --users LIST   authorisation sizes (default 1000,10000,100000; quick 1000)
  --json FILE    also write the numbers as JSON
`;

/**
 * Heap figures need a collector to call (and no bytecode flushing, which frees megabytes at
 * random collections), and a 100k-user world needs room: without --expose-gc the script runs
 * itself again with the flags it needs.
 */
function respawnWithGc(): never {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--no-flush-bytecode', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, users: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
  if (unknown.length) {
    process.stderr.write(`unknown part(s): ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const users = values.users?.split(',').map(Number);
  if (users?.some((n) => !Number.isInteger(n) || n < 10)) {
    process.stderr.write(`--users takes whole numbers of at least 10, comma-separated\n${USAGE}`);
    return 2;
  }
  if (!canGc()) respawnWithGc();
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`› [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
  const report = await runBench({ quick: values.quick, log, ...(only ? { parts: only as PartId[] } : {}), ...(users ? { users } : {}) });
  process.stdout.write(`${renderReport(report)}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

#!/usr/bin/env node
// Makes `npm test`, `npm start` and `npm run bench` work as the very first command on a fresh
// clone: checks Node, installs dependencies when package.json/package-lock.json changed since
// the last install, builds incrementally, and (for tests) checks the system prerequisites.
// Plain Node, no dependencies: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODES = ['test', 'start', 'bench'];
const mode = process.argv[2] ?? 'test';

function fail(msg) {
  console.error(`\n✖ ${msg}\n`);
  process.exit(1);
}

// Install and build chatter goes to stderr (the child's stdout too): stdout belongs to the
// command's result, so `npm run -s gatehouse -- config export > file` holds the file and nothing else.
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['inherit', process.stderr, 'inherit'], ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')} could not start: ${r.error.message}`);
  return r.status ?? 1;
}

if (!MODES.includes(mode)) fail(`usage: node scripts/bootstrap.mjs ${MODES.join('|')} (got "${mode}")`);

// 1. Node version.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node ${process.versions.node} is too old: Gatehouse needs Node 20.19 or newer (https://nodejs.org or your distribution's nodejs package).`);
}

// 2. Dependencies: install when the manifests changed since the last successful install.
const manifests = ['package.json', 'package-lock.json', ...readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'package.json'))].filter((f) =>
  existsSync(join(root, f)),
);
const hash = createHash('sha256');
for (const f of manifests) hash.update(f).update(readFileSync(join(root, f)));
const digest = hash.digest('hex');
const stamp = join(root, 'node_modules', '.gatehouse-install-stamp');
const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (installed !== digest) {
  console.error('› installing dependencies (npm install) …');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (run(npm, ['install', '--no-audit', '--no-fund']) !== 0) fail('npm install failed: see the output above.');
  // npm install may rewrite package-lock.json: stamp what is there now.
  const again = createHash('sha256');
  for (const f of manifests) again.update(f).update(readFileSync(join(root, f)));
  writeFileSync(stamp, again.digest('hex'));
}

// 3. Build (incremental: quick when nothing changed).
const bin = (name) => join(root, 'node_modules', '.bin', name);
if (run(bin('tsc'), ['-b']) !== 0) fail('the TypeScript build failed: see the errors above.');
for (const extra of existsSync(join(root, 'scripts', 'build-extras.mjs')) ? ['scripts/build-extras.mjs'] : []) {
  if (run(process.execPath, [extra, mode]) !== 0) fail(`${extra} failed: see the output above.`);
}

// 4. System prerequisites that npm cannot bring. A missing one fails the run: never a silent skip.
function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}
function postgresBinaries() {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(join(root, v, 'bin', 'initdb')));
}
/** @type {{ modes: string[]; name: string; present: () => boolean; how: string; why: string }[]} */
export const PREREQUISITES = [
  {
    modes: ['test', 'bench'],
    name: 'redis-server',
    present: () => Boolean(process.env.GATEHOUSE_TEST_REDIS_URL) || onPath('redis-server'),
    how: 'sudo apt-get install -y redis-server   (or set GATEHOUSE_TEST_REDIS_URL to a Redis you own)',
    why: 'the multi-instance tests (and the benchmark\'s storage part) run against a real Redis',
  },
  {
    modes: ['test', 'bench'],
    name: 'postgresql',
    // Debian keeps initdb and postgres out of PATH, in /usr/lib/postgresql/<major>/bin.
    present: () => Boolean(process.env.GATEHOUSE_TEST_POSTGRES_URL) || onPath('initdb') || postgresBinaries(),
    how: 'sudo apt-get install -y postgresql   (or set GATEHOUSE_TEST_POSTGRES_URL to a database you own)',
    why: 'the PostgreSQL store is tested (and benchmarked) against a real server (initdb and postgres in a temporary directory)',
  },
  {
    modes: ['test', 'bench'],
    name: 'chromium',
    present: () => Boolean(process.env.GATEHOUSE_CHROMIUM) || existsSync('/usr/bin/chromium'),
    how: 'sudo apt-get install -y chromium   (or set GATEHOUSE_CHROMIUM to a Chromium binary)',
    why: 'the VS Code extension tests (and the benchmark\'s activation part) drive a real VS Code (code-server) in a headless browser',
  },
  {
    modes: ['test', 'bench'],
    name: 'libkrb5-dev',
    present: () => existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/krb5.h'),
    how: 'sudo apt-get install -y libkrb5-dev   (then run npm test again: it installs code-server into .cache/vscode-host)',
    why: "code-server, the VS Code the extension tests run in, builds its kerberos module from source",
  },
];
const missing = PREREQUISITES.filter((p) => p.modes.includes(mode) && !p.present());
if (missing.length) {
  fail(
    `missing system prerequisites:\n${missing.map((p) => `  - ${p.name}: ${p.why}. Install: ${p.how}`).join('\n')}\n  (.ci/run installs them on CI; see README "Prerequisites")`,
  );
}

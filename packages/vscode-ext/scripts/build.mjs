#!/usr/bin/env node
// Bundles the extension (dist/extension.cjs, one CommonJS file, `vscode` external) and the
// extension-host test suite (out/test/suite/*.cjs). Fails when the bundle pulls in storage or
// Slack code: the extension needs the zod contract only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * zod's `z` namespace re-exports every locale (`z.locales.*`, ~250 kB minified) and esbuild cannot
 * shake a namespace object. The extension never switches locale (zod itself configures `en`
 * directly), so the locale index is replaced by one that offers `en` only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: pkg,
      loader: 'js',
      pluginData: args.pluginData,
    }));
  },
};

const FORBIDDEN = /(^|\/)node_modules\/(keyv|@keyv|@slack|express|sqlite3|redis|@redis|async-mutex|canonicalize)\/|packages\/core\/dist\/src\/(store|gatehouse|account|state|index)\.js$/;

/** Builds and checks the extension bundle; returns its size and the heaviest inputs. */
export async function buildExtension({ minify = true } = {}) {
  const result = await esbuild.build({
    absWorkingDir: pkg,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.cjs',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    minify,
    sourcemap: true,
    metafile: true,
    plugins: [zodEnglishOnly],
    logLevel: 'warning',
  });
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'dist', 'extension.meta.json'), JSON.stringify(result.metafile));
  const inputs = Object.keys(result.metafile.inputs);
  const bad = inputs.filter((f) => FORBIDDEN.test(f));
  if (bad.length) throw new Error(`the extension bundle must not contain storage or Slack code, but it has:\n  ${bad.join('\n  ')}`);
  const out = result.metafile.outputs['dist/extension.cjs'];
  const byPackage = new Map();
  for (const [file, info] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : file.startsWith('../core/') ? '@gatehouse/core (contract)' : 'extension';
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  return { bytes: out.bytes, byPackage: [...byPackage].sort((a, b) => b[1] - a[1]), inputs };
}

/** Bundles the suite that runs inside the extension host (mocha stays external: it is resolved from node_modules). */
export async function buildSuite() {
  await esbuild.build({
    absWorkingDir: pkg,
    entryPoints: ['test/suite/index.ts', 'test/suite/extension.suite.ts'],
    outdir: 'out/test/suite',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const t0 = Date.now();
  const ext = await buildExtension();
  await buildSuite();
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  console.error(`› vscode-ext: dist/extension.cjs ${kb(ext.bytes)} (${ext.byPackage.map(([k, v]) => `${k} ${kb(v)}`).join(', ')}), suite in out/test/suite, ${Date.now() - t0} ms`);
}

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Table } from './harness.js';
import { fmtBytes } from './stats.js';

export interface ExtensionResult {
  /** The bundle `main` points at, if it was built. */
  readonly bundle: { path: string; bytes: number; gzipBytes: number } | null;
  readonly vsix: { path: string; bytes: number } | null;
  readonly todo: string | null;
}

const EXT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'vscode-ext');

function mainOf(dir: string): string | null {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return null;
  const parsed: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
  const main = typeof parsed === 'object' && parsed !== null ? (parsed as { main?: unknown }).main : undefined;
  return typeof main === 'string' ? main : null;
}

/**
 * Bundle size from the extension's build output, when it is there. TODO(extension): activation
 * time comes from the extension's own test suite in the real VS Code (code-server); read its
 * result here once that suite records it.
 */
export function runExtension(dir = EXT_DIR): { table: Table; result: ExtensionResult } {
  const main = mainOf(dir);
  const bundlePath = main ? join(dir, /\.[cm]?js$/.test(main) ? main : `${main}.js`) : null;
  const bundle =
    bundlePath && existsSync(bundlePath)
      ? { path: bundlePath, bytes: statSync(bundlePath).size, gzipBytes: gzipSync(readFileSync(bundlePath)).length }
      : null;
  const vsixName = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.vsix')) : undefined;
  const vsix = vsixName ? { path: join(dir, vsixName), bytes: statSync(join(dir, vsixName)).size } : null;
  const todo = bundle ? null : 'packages/vscode-ext has no built bundle yet (no package.json "main" file): build the extension, then rerun';
  const rel = (p: string) => p.slice(p.indexOf('packages'));
  return {
    result: { bundle, vsix, todo },
    table: {
      title: bundle ? '5. VS Code extension' : '5. VS Code extension (TODO)',
      columns: ['measure', 'result', 'details'],
      rows: [
        ['bundle size', bundle ? `${fmtBytes(bundle.bytes)} (${fmtBytes(bundle.gzipBytes)} gzip)` : 'TODO', bundle ? rel(bundle.path) : 'not built'],
        ['.vsix size', vsix ? fmtBytes(vsix.bytes) : '—', vsix ? rel(vsix.path) : 'not packaged'],
        ['activation time', 'TODO', "from the extension's test suite in the real VS Code"],
      ],
      notes: [todo ? `TODO: ${todo}.` : 'Activation time: TODO, reported by the extension test suite.'],
    },
  };
}

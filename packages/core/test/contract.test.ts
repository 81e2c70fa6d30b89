import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiErrorCodeSchema, MeResponseSchema } from '../src/contract.js';
import { ERROR_CODES } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module the compiled file imports, transitively (relative imports followed, bare ones collected). */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.includes(f)) continue;
    files.push(f);
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) todo.push(resolve(dirname(f), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('the REST contract entry (@gatehouse/core/contract)', () => {
  it('pulls in zod only — no storage, no node built-ins the editor bundle cannot use', () => {
    const { packages, files } = importGraph(join(here, '../src/contract.js'));
    assert.deepEqual([...packages].sort(), ['zod']);
    assert.ok(files.length >= 3, 'the walk followed relative imports');
  });
  it('its error codes include every core error code', () => {
    for (const c of ERROR_CODES) assert.ok(ApiErrorCodeSchema.safeParse(c).success, c);
    assert.ok(ApiErrorCodeSchema.safeParse('unauthenticated').success);
  });
  it('refuses a response that does not match', () => {
    assert.equal(MeResponseSchema.safeParse({ account: { id: 'T1' } }).success, false);
  });
});

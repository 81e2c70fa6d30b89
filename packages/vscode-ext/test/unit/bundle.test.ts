import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Metafile {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, unknown> }>;
}

describe('vscode-ext: the extension bundle (dist/extension.cjs)', () => {
  function meta(): Metafile {
    const f = join(pkg, 'dist', 'extension.meta.json');
    if (!existsSync(f)) assert.fail('dist/extension.meta.json is missing: build the extension (npm test does, via scripts/build-extras.mjs; or npm run -w packages/vscode-ext build)');
    return JSON.parse(readFileSync(f, 'utf8')) as Metafile;
  }

  it('bundles the zod contract, never storage or Slack code', () => {
    const inputs = Object.keys(meta().outputs['dist/extension.cjs']!.inputs);
    const forbidden = inputs.filter((f) => /node_modules\/(keyv|@keyv|@slack|express|sqlite3|redis|@redis)\//.test(f) || /packages\/core\/dist\/src\/(store|gatehouse|account|state)\.js$/.test(f));
    assert.deepEqual(forbidden, []);
    assert.ok(inputs.some((f) => f.endsWith('core/dist/src/contract.js')), 'the contract is in');
    assert.ok(inputs.some((f) => f.includes('node_modules/zod/')), 'zod is in');
  });

  it('leaves only vscode and Node built-ins outside, and stays small', () => {
    const m = meta();
    const external = new Set(Object.values(m.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => x.path)));
    for (const e of external) assert.ok(e === 'vscode' || e.startsWith('node:') || /^[a-z_]+$/.test(e), `unexpected external import ${e}`);
    const bytes = m.outputs['dist/extension.cjs']!.bytes;
    assert.ok(bytes < 350 * 1024, `the bundle grew to ${Math.round(bytes / 1024)} kB`);
  });

  it('the manifest activates on its views and commands only, and fits the VS Code the tests run in', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      main: string;
      activationEvents: string[];
      engines: { vscode: string };
      devDependencies: Record<string, string>;
      contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
    };
    assert.equal(manifest.main, './dist/extension.cjs');
    assert.ok(!manifest.activationEvents.includes('*'));
    const views = Object.values(manifest.contributes.views).flat().map((v) => `onView:${v.id}`);
    const commands = manifest.contributes.commands.map((c) => `onCommand:${c.command}`);
    assert.deepEqual([...manifest.activationEvents].sort(), [...views, ...commands].sort());
    const minor = (v: string) => Number(/1\.(\d+)/.exec(v)?.[1]);
    assert.ok(minor(manifest.engines.vscode) <= 139, 'code-server 4.139 refuses newer engines');
    assert.equal(minor(manifest.devDependencies['@types/vscode']!), minor(manifest.engines.vscode), '@types/vscode matches engines.vscode');
  });
});

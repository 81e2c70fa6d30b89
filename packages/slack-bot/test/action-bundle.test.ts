import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { ACTION_INPUTS, ACTION_OUTPUTS } from '../src/action/gate-action.js';
import { tempDir, using } from './support/run-node.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const BUILD = join(REPO, 'packages', 'slack-bot', 'scripts', 'build-action.mjs');

interface BuildScript {
  ACTION_BUNDLE: string;
  buildAction(o: { outfile: string }): Promise<{ bytes: number; packages: string[] }>;
}

interface ActionYml {
  name?: unknown;
  description?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  inputs: Record<string, { description?: unknown; required?: unknown; default?: unknown }>;
  outputs: Record<string, { description?: unknown }>;
  runs: { using?: unknown; main?: unknown };
}

describe('GitHub Action: action.yml and its committed bundle', function () {
  this.timeout(60_000);
  const yml = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as ActionYml;

  it(
    'the committed bundle is exactly what the sources build to (else: npm run build:action -w @gatehouse/slack-bot, and commit it)',
    using(
      () => tempDir('gatehouse-action-build-'),
      async ({ dir }) => {
        const script = (await import(pathToFileURL(BUILD).href)) as BuildScript;
        const fresh = join(dir, 'index.cjs');
        const built = await script.buildAction({ outfile: fresh });
        assert.deepEqual(built.packages, ['@gatehouse/core', '@gatehouse/slack-bot', 'zod'], 'the bundle pulls in more than the gate needs');
        const committed = readFileSync(script.ACTION_BUNDLE);
        assert.ok(readFileSync(fresh).equals(committed), `${relative(REPO, script.ACTION_BUNDLE)} is stale: rebuild it with npm run build:action -w @gatehouse/slack-bot and commit it`);
        // Deterministic: a second build gives the same bytes (else the check above could never hold).
        await script.buildAction({ outfile: fresh });
        assert.ok(readFileSync(fresh).equals(committed));
        assert.equal(join(REPO, String(yml.runs.main)), script.ACTION_BUNDLE, 'action.yml runs another file');
      },
    ),
  );

  it('declares the inputs and defaults the entry applies, the outputs it writes, and runs on node20', () => {
    assert.ok(typeof yml.name === 'string' && typeof yml.description === 'string');
    assert.ok(typeof yml.branding?.icon === 'string' && typeof yml.branding.color === 'string');
    assert.equal(yml.runs.using, 'node20');
    assert.deepEqual(Object.keys(yml.inputs), Object.keys(ACTION_INPUTS));
    for (const [name, spec] of Object.entries(ACTION_INPUTS)) {
      const declared = yml.inputs[name];
      assert.ok(declared && typeof declared.description === 'string', `${name}: no description`);
      assert.equal(declared.required, spec.required, `${name}: required`);
      assert.equal(declared.default, 'default' in spec ? spec.default : undefined, `${name}: default`);
    }
    assert.deepEqual(Object.keys(yml.outputs), [...ACTION_OUTPUTS]);
    for (const o of ACTION_OUTPUTS) assert.equal(typeof yml.outputs[o]?.description, 'string');
  });
});

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, tempDir } from './support/run-node.js';

/** A temp folder with a SQLite store, and the real CLI run against it. */
function setup() {
  const tmp = tempDir('gatehouse-cli-');
  const storeFile = join(tmp.dir, 'x.sqlite');
  const store = `sqlite://${storeFile}`;
  return {
    ...tmp,
    storeFile,
    store,
    /** `gatehouse …` with the temp store, the temp folder as the current directory and `env` on top. */
    cli: (args: string[], env: Record<string, string> = {}) => runNode('cli', args, { cwd: tmp.dir, env: { GATEHOUSE_STORE: store, ...env } }),
    /** `gatehouse …` with nothing configured but what the folder's `.env` says. */
    bare: (args: string[], env: Record<string, string> = {}) => runNode('cli', args, { cwd: tmp.dir, env }),
    writeDotEnv: (text: string) => writeFileSync(join(tmp.dir, '.env'), text),
  };
}

describe('CLI: .env in the current directory', () => {
  it('is read: the store and account it names are used', async () => {
    const t = setup();
    try {
      t.writeDotEnv(`# copied from .env.example\nGATEHOUSE_STORE=${t.store}\nGATEHOUSE_ACCOUNT_ID=TDOTENV\n`);
      const r = await t.bare(['bootstrap', '--admin', 'UFIRST']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /TDOTENV/);
      assert.ok(existsSync(t.storeFile), 'the store named in .env was created');
      assert.ok(!existsSync(join(t.dir, 'gatehouse.sqlite')), 'not the default store');
    } finally {
      t.cleanup();
    }
  });

  it('loses to variables already set in the environment', async () => {
    const t = setup();
    try {
      t.writeDotEnv(`GATEHOUSE_STORE=${t.store}\nGATEHOUSE_ACCOUNT_ID=TDOTENV\n`);
      const r = await t.bare(['bootstrap', '--admin', 'UFIRST'], { GATEHOUSE_ACCOUNT_ID: 'TFROMENV' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /TFROMENV/);
      assert.doesNotMatch(r.stdout, /TDOTENV/);
      assert.ok(existsSync(t.storeFile), 'what the environment did not set still comes from .env');
    } finally {
      t.cleanup();
    }
  });

  it('a line that is not NAME=value stops with the file and line named, before anything is done', async () => {
    const t = setup();
    try {
      t.writeDotEnv(`GATEHOUSE_ACCOUNT_ID=TDOTENV\nPORT 3000\n`);
      const r = await t.cli(['bootstrap', '--admin', 'UFIRST']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(`${join(t.dir, '.env')}:2: expected NAME=value (or a # comment), found "PORT 3000"`), r.stderr);
      assert.ok(!existsSync(t.storeFile), 'nothing was written');
    } finally {
      t.cleanup();
    }
  });

  it('a bad value it sets is reported with the file that set it', async () => {
    const t = setup();
    try {
      t.writeDotEnv(`PORT=three thousand\n`);
      const r = await t.cli(['bootstrap', '--admin', 'UFIRST']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`PORT \\(set in ${join(t.dir, '.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): `));
    } finally {
      t.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gatehouse } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { startServer } from '../src/server.js';
import { runNode, tempDir, using } from './support/run-node.js';

/** Two SQLite stores in a temp folder and the real CLI run against either. */
function setup() {
  const tmp = tempDir('gatehouse-config-');
  const store = (name: string) => `sqlite://${join(tmp.dir, `${name}.sqlite`)}`;
  const cli = (name: string, args: string[], env: Record<string, string> = {}) => runNode('cli', args, { cwd: tmp.dir, env: { GATEHOUSE_STORE: store(name), GATEHOUSE_ACCOUNT_ID: 'TACME', ...env }, timeoutMs: 60_000 });
  const write = (file: string, text: string) => {
    writeFileSync(join(tmp.dir, file), text);
    return file;
  };
  return { ...tmp, store, cli, write };
}
const withStores = (body: (t: ReturnType<typeof setup>) => Promise<void>) => using(setup, body);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('CLI: config export | plan | apply', function () {
  this.timeout(120_000);

  it('the demo account exported, applied to a fresh account with only its bootstrap Admin, and exported again gives the same file', withStores(async (t) => {
    assert.equal((await t.cli('demo', ['demo'])).code, 0);
    const exported = await t.cli('demo', ['config', 'export', '--as', 'UADA']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^# Gatehouse account configuration/);
    assert.equal((await t.cli('demo', ['config', 'export', '--as', 'UADA'])).stdout, exported.stdout, 'two exports differ');
    const file = t.write('acme.yaml', exported.stdout);
    assert.equal((await t.cli('fresh', ['bootstrap', '--admin', 'UADA'])).code, 0);
    const plan = await t.cli('fresh', ['config', 'plan', file, '--as', 'UADA']);
    assert.equal(plan.code, 2, `${plan.stdout}\n${plan.stderr}`);
    assert.match(plan.stdout, /^teams:\n {2}\+ payments\n/m);
    const applied = await t.cli('fresh', ['config', 'apply', file, '--as', 'UADA']);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    assert.match(applied.stderr, /Applied \d+ change\(s\) in one commit/);
    const again = await t.cli('fresh', ['config', 'export', '--as', 'UADA']);
    assert.equal(again.stdout, exported.stdout);
    const unchanged = await t.cli('fresh', ['config', 'plan', file, '--as', 'UADA']);
    assert.equal(unchanged.code, 0, unchanged.stdout);
    assert.equal(unchanged.stdout, 'No changes: the account already matches the file.\n');
  }));

  it('refused whole (exit 1): the last Admin, an unknown reference with the closest name, bad YAML — each at its line; nothing written', withStores(async (t) => {
    assert.equal((await t.cli('a', ['bootstrap', '--admin', 'UADA'])).code, 0);
    const base = (await t.cli('a', ['config', 'export', '--as', 'UADA'])).stdout;
    const selfOff = t.write('self.yaml', base.replace('  UADA:\n    name: ""\n', '  UADA:\n    name: ""\n    active: false\n'));
    assert.notEqual(readFileSync(join(t.dir, selfOff), 'utf8'), base, 'the test did not change the file');
    const refused = await t.cli('a', ['config', 'apply', selfOff, '--as', 'UADA']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, new RegExp(`self\\.yaml:${lineOf(readFileSync(join(t.dir, selfOff), 'utf8'), '  UADA:')}: user UADA: nobody changes their own roles or status`));
    const typo = t.write('typo.yaml', `${base}`.replace('grants:\n', 'grants:\n  - user: UADA\n    role: secruity\n'));
    const unknown = await t.cli('a', ['config', 'plan', typo, '--as', 'UADA']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`typo\\.yaml:${lineOf(readFileSync(join(t.dir, typo), 'utf8'), 'role: secruity')}:\\d+: grants\\.0\\.role: unknown role 'secruity' — did you mean 'security'\\?`));
    const bad = t.write('bad.yaml', 'teams:\n  payments: { name: Payments\n');
    const broken = await t.cli('a', ['config', 'plan', bad, '--as', 'UADA']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^bad\.yaml:\d+:\d+: /m);
    const after = await t.cli('a', ['config', 'export', '--as', 'UADA']);
    assert.equal(after.stdout, base, 'a refused apply wrote something');
    const noActor = await t.cli('a', ['config', 'plan', selfOff]);
    assert.equal(noActor.code, 1);
    assert.match(noActor.stderr, /--as <user id>/);
  }));

  it('through a running server with GATEHOUSE_URL and GATEHOUSE_TOKEN: the key\'s owner acts', withStores(async (t) => {
    const gatehouse = await Gatehouse.open({ url: 'memory' });
    const account = await gatehouse.createAccount('TACME', { name: 'Acme', admins: [{ userId: 'UADA' }] });
    const { secret } = await gatehouse.createKey(account, { userId: 'UADA' }, { name: 'gitops', kind: 'personal_token' });
    const server = await startServer(ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TACME' }), { gatehouse, logger: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      const env = { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: secret };
      const exported = await t.cli('unused', ['config', 'export'], env);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, new RegExp(`^# yaml-language-server: \\$schema=${server.url.replace(/[.]/g, '\\.')}/api/v1/config\\.schema\\.json`));
      const file = t.write('remote.yaml', exported.stdout.replace('teams:\n', 'teams:\n  mobile:\n    name: Mobile\n'));
      const applied = await t.cli('unused', ['config', 'apply', file], env);
      assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
      assert.equal(account.view.teams['mobile']?.name, 'Mobile');
      const denied = await t.cli('unused', ['config', 'export'], { ...env, GATEHOUSE_TOKEN: 'ghk_nope_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /not valid/);
    } finally {
      await server.close();
      await gatehouse.close();
    }
  }));
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, readDotEnv } from '../src/config.js';
import { tempDir } from './support/run-node.js';

function setup(text: string | null) {
  const tmp = tempDir('gatehouse-env-');
  if (text !== null) writeFileSync(join(tmp.dir, '.env'), text);
  return { ...tmp, path: join(tmp.dir, '.env') };
}

describe('config: readDotEnv', () => {
  it('no .env: nothing read, nothing changed', () => {
    const t = setup(null);
    try {
      const env = { PORT: '1' };
      assert.equal(readDotEnv(t.dir, env), null);
      assert.deepEqual(env, { PORT: '1' });
    } finally {
      t.cleanup();
    }
  });

  it('sets what the environment lacks, keeps what it has, and says which it set', () => {
    const t = setup(['# comment', '', 'export HOST=127.0.0.1', 'PORT = 4000 ', "GATEHOUSE_ACCOUNT_NAME='Acme # 1'", 'SLACK_COMMAND=/gh # trailing comment', 'GATEHOUSE_DEFAULT_CHANNEL="C1', 'C2"', 'LOG_LEVEL='].join('\n'));
    try {
      const env: NodeJS.ProcessEnv = { PORT: '5000' };
      const r = readDotEnv(t.dir, env);
      assert.deepEqual(r && { path: r.path, keys: [...r.keys].sort() }, { path: t.path, keys: ['GATEHOUSE_ACCOUNT_NAME', 'GATEHOUSE_DEFAULT_CHANNEL', 'HOST', 'LOG_LEVEL', 'SLACK_COMMAND'] });
      assert.deepEqual(env, { PORT: '5000', HOST: '127.0.0.1', GATEHOUSE_ACCOUNT_NAME: 'Acme # 1', SLACK_COMMAND: '/gh', GATEHOUSE_DEFAULT_CHANNEL: 'C1\nC2', LOG_LEVEL: '' });
    } finally {
      t.cleanup();
    }
  });

  it('a quote never closed is named with its line', () => {
    const t = setup('HOST=a\nGATEHOUSE_ACCOUNT_NAME="Acme\nPORT=1\n');
    try {
      assert.throws(() => readDotEnv(t.dir, {}), { message: `${t.path}:2: the value of GATEHOUSE_ACCOUNT_NAME opens a " quote that is never closed` });
    } finally {
      t.cleanup();
    }
  });

  it('a bad value is reported with the file that set it', () => {
    const t = setup('PORT=abc\n');
    try {
      const env: NodeJS.ProcessEnv = { HOST: 'nope' };
      const dotEnv = readDotEnv(t.dir, env);
      assert.throws(() => loadConfig(env, dotEnv), (err: Error) => err.message.includes(`PORT (set in ${t.path}): `));
    } finally {
      t.cleanup();
    }
  });
});

describe('config: GATEHOUSE_ACCOUNT_ID, the account(s) this server serves', () => {
  it('one id: the default account, and the only one served', () => {
    const c = loadConfig({ GATEHOUSE_ACCOUNT_ID: 'T0123' });
    assert.equal(c.GATEHOUSE_ACCOUNT_ID, 'T0123');
    assert.deepEqual(c.servedAccounts, ['T0123']);
  });

  it('a comma-separated list (an Enterprise Grid org-wide install): the first is the default, all are served', () => {
    const c = loadConfig({ GATEHOUSE_ACCOUNT_ID: ' T0AAA , T0BBB,T0AAA,' });
    assert.equal(c.GATEHOUSE_ACCOUNT_ID, 'T0AAA');
    assert.deepEqual(c.servedAccounts, ['T0AAA', 'T0BBB'], 'spaces and an empty item ignored, a repeat counted once');
  });

  it('unset: T00000000, as before', () => {
    const c = loadConfig({});
    assert.equal(c.GATEHOUSE_ACCOUNT_ID, 'T00000000');
    assert.deepEqual(c.servedAccounts, ['T00000000']);
  });

  it('a bad id in the list stops start-up naming the variable and the id', () => {
    assert.throws(
      () => loadConfig({ GATEHOUSE_ACCOUNT_ID: 'T0AAA,bad id' }),
      (err: Error) => /^ {2}GATEHOUSE_ACCOUNT_ID: "bad id" is not a Slack team id/m.test(err.message) && err.message.includes('comma-separated'),
    );
    assert.throws(() => loadConfig({ GATEHOUSE_ACCOUNT_ID: ' , ' }), (err: Error) => /^ {2}GATEHOUSE_ACCOUNT_ID: /m.test(err.message) && err.message.includes('no team id'));
  });
});

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gatehouse } from '@gatehouse/core';
import { runNode, tempDir, using } from './support/run-node.js';

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
    /** The same store, opened in this process to look at (or arrange) what the CLI sees. */
    async withStore<T>(f: (gh: Gatehouse) => Promise<T>): Promise<T> {
      const gh = await Gatehouse.open({ url: store, watchMs: null });
      try {
        return await f(gh);
      } finally {
        await gh.close();
      }
    },
  };
}

const withCli = (body: (t: ReturnType<typeof setup>) => Promise<void> | void) => using(setup, body);

const ACCOUNT = 'T00000000';
const SECRET = /ghk_\S+/;

/** The secret printed on the line that names `label`. */
function secretOn(stdout: string, label: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(label));
  const secret = line?.match(SECRET)?.[0];
  assert.ok(secret, `a line "${label}…" with a secret in:\n${stdout}`);
  return secret;
}

describe('CLI: .env in the current directory', () => {
  it('is read: the store and account it names are used', withCli(async (t) => {
    t.writeDotEnv(`# copied from .env.example\nGATEHOUSE_STORE=${t.store}\nGATEHOUSE_ACCOUNT_ID=TDOTENV\n`);
    const r = await t.bare(['bootstrap', '--admin', 'UFIRST']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /TDOTENV/);
    assert.ok(existsSync(t.storeFile), 'the store named in .env was created');
    assert.ok(!existsSync(join(t.dir, 'gatehouse.sqlite')), 'not the default store');
  }));

  it('loses to variables already set in the environment', withCli(async (t) => {
    t.writeDotEnv(`GATEHOUSE_STORE=${t.store}\nGATEHOUSE_ACCOUNT_ID=TDOTENV\n`);
    const r = await t.bare(['bootstrap', '--admin', 'UFIRST'], { GATEHOUSE_ACCOUNT_ID: 'TFROMENV' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /TFROMENV/);
    assert.doesNotMatch(r.stdout, /TDOTENV/);
    assert.ok(existsSync(t.storeFile), 'what the environment did not set still comes from .env');
  }));

  it('a line that is not NAME=value stops with the file and line named, before anything is done', withCli(async (t) => {
    t.writeDotEnv(`GATEHOUSE_ACCOUNT_ID=TDOTENV\nPORT 3000\n`);
    const r = await t.cli(['bootstrap', '--admin', 'UFIRST']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(`${join(t.dir, '.env')}:2: expected NAME=value (or a # comment), found "PORT 3000"`), r.stderr);
    assert.ok(!existsSync(t.storeFile), 'nothing was written');
  }));

  it('a bad value it sets is reported with the file that set it', withCli(async (t) => {
    t.writeDotEnv(`PORT=three thousand\n`);
    const r = await t.cli(['bootstrap', '--admin', 'UFIRST']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`PORT \\(set in ${join(t.dir, '.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): `));
  }));
});

describe('CLI: bootstrap', () => {
  it('on a new store creates the account with the named Admin and prints their token', withCli(async (t) => {
    const r = await t.cli(['bootstrap', '--admin', 'UOLD']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Created account T00000000 \("Gatehouse"\) with Admin\(s\) UOLD\.\nAdmins of account T00000000: UOLD\.\nPersonal token for UOLD \(shown once\): ghk_\S+\n$/);
  }));

  it('--admin on an EXISTING account makes that user an Admin and prints a token that is theirs', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const r = await t.cli(['bootstrap', '--admin', 'U0123ABCD']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Made U0123ABCD an Admin of the existing account T00000000\.\nAdmins of account T00000000: U0123ABCD, UOLD\.\nPersonal token for U0123ABCD \(shown once\): ghk_\S+\n$/);
    const secret = secretOn(r.stdout, 'Personal token for U0123ABCD');
    await t.withStore(async (gh) => {
      const principal = await gh.authenticate(secret);
      assert.equal(principal.actor.userId, 'U0123ABCD', 'the token is the named Admin’s, not someone else’s');
      assert.deepEqual(principal.account.admins(), ['U0123ABCD', 'UOLD']);
      assert.equal(principal.account.can('U0123ABCD', 'user_role:manage'), true);
    });
  }));

  it('run again changes nothing and says so; --name for an existing account is a warning on stderr', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const seq = await t.withStore(async (gh) => (await gh.account(ACCOUNT)).seq);
    const r = await t.cli(['bootstrap', '--admin', 'UOLD', '--name', 'Renamed']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^UOLD was an Admin of account T00000000 already\.\nAdmins of account T00000000: UOLD\.\nPersonal token for UOLD \(shown once\): ghk_\S+\n$/);
    assert.equal(r.stderr, '--name is ignored: account T00000000 exists already (named "Gatehouse").\n');
    assert.equal(await t.withStore(async (gh) => (await gh.account(ACCOUNT)).seq), seq + 1, 'one commit: the new token, no grant');
  }));

  it('without --admin uses GATEHOUSE_BOOTSTRAP_ADMINS, on an existing account too', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const r = await t.cli(['bootstrap'], { GATEHOUSE_BOOTSTRAP_ADMINS: 'UENV1, UENV2' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Made UENV1 an Admin of the existing account T00000000\.\nMade UENV2 an Admin of the existing account T00000000\.\n/);
    secretOn(r.stdout, 'Personal token for UENV1');
    secretOn(r.stdout, 'Personal token for UENV2');
    assert.deepEqual(await t.withStore(async (gh) => (await gh.account(ACCOUNT)).admins()), ['UENV1', 'UENV2', 'UOLD']);
  }));

  it('refuses a deactivated user loudly, saying why and what to do, and changes nothing', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const seq = await t.withStore(async (gh) => {
      const account = await gh.account(ACCOUNT);
      await account.ensureUser({ userId: 'UGONE' });
      await account.deactivateUser({ userId: 'UOLD' }, { userId: 'UGONE' });
      return account.seq;
    });
    const r = await t.cli(['bootstrap', '--admin', 'UOTHER', '--admin', 'UGONE']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '', 'no token');
    assert.equal(
      r.stderr,
      'refused: UGONE is deactivated in account T00000000. Bootstrap does not reactivate users and changed nothing: name someone else.\n',
    );
    await t.withStore(async (gh) => {
      const account = await gh.account(ACCOUNT);
      assert.equal(account.seq, seq, 'nothing was written, not even for UOTHER');
      assert.deepEqual(account.admins(), ['UOLD']);
    });
  }));

  it('with nobody named is a usage error (exit 2)', withCli(async (t) => {
    const r = await t.cli(['bootstrap']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'gatehouse bootstrap: name the Admin(s): --admin <Slack user id> (or set GATEHOUSE_BOOTSTRAP_ADMINS)\nusage: gatehouse bootstrap [--admin <Slack user id>]… [--name <account name>]\n');
  }));
});

describe('CLI: command line mistakes (exit 2, nothing done)', () => {
  it('an unknown command is named, with the closest, then the usage', withCli(async (t) => {
    const r = await t.cli(['boostrap', '--admin', 'U1']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const [first, second, third] = r.stderr.split('\n');
    assert.equal(first, 'gatehouse: unknown command "boostrap" — did you mean "bootstrap"?');
    assert.equal(second, '');
    assert.equal(third, 'usage: gatehouse <command> [options]');
    assert.match(r.stderr, /\n {2}bootstrap \[--admin <Slack user id>\]… \[--name <account name>\]\n/);
    assert.ok(!existsSync(t.storeFile), 'the store was not even opened');
  }));

  it('an unknown flag value names the allowed ones and the closest (no more silent personal token)', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    await t.withStore(async (gh) => (await gh.account(ACCOUNT)).ensureUser({ userId: 'UCI' }));
    const r = await t.cli(['key', '--user', 'UCI', '--name', 'ci', '--kind', 'apikey']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'gatehouse key: --kind "apikey" is not one of api_key, personal_token — did you mean "api_key"?\nusage: gatehouse key --user <user id> --name <key name> [--kind api_key|personal_token]\n');
    assert.deepEqual(await t.withStore(async (gh) => (await gh.account(ACCOUNT)).listKeys({ userId: 'UOLD' }, 'UCI')), [], 'no key was made');
  }));

  it('an unknown flag is named with the closest; a flag without its value says so', withCli(async (t) => {
    const r = await t.cli(['key', '--user', 'U1', '--nmae', 'ci']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'gatehouse key: unknown option --nmae — did you mean --name?\nusage: gatehouse key --user <user id> --name <key name> [--kind api_key|personal_token]\n');
    const v = await t.cli(['key', '--user', 'U1', '--name']);
    assert.equal(v.code, 2);
    assert.equal(v.stderr.split('\n')[0], 'gatehouse key: --name needs a value');
    const m = await t.cli(['key', '--user', 'U1']);
    assert.equal(m.code, 2);
    assert.equal(m.stderr.split('\n')[0], 'gatehouse key: missing --name <key name>');
  }));

  it('help goes to stdout with exit 0, for all commands and for one', withCli(async (t) => {
    const all = await t.cli(['help']);
    assert.equal(all.code, 0);
    assert.equal(all.stderr, '');
    for (const c of ['bootstrap', 'key', 'demo']) assert.match(all.stdout, new RegExp(`\\n {2}${c}`));
    const one = await t.cli(['bootstrap', '--help']);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /^usage: gatehouse bootstrap \[--admin <Slack user id>\]… \[--name <account name>\]\n/);
    assert.match(one.stdout, /--admin <Slack user id> {2}a user to make Admin .* \(may be repeated\)/);
  }));
});

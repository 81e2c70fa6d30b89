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
      'refused: UGONE is deactivated in account T00000000. Bootstrap does not reactivate users and changed nothing: reactivate UGONE first (gatehouse users reactivate --user UGONE) or name someone else.\n',
    );
    await t.withStore(async (gh) => {
      const account = await gh.account(ACCOUNT);
      assert.equal(account.seq, seq, 'nothing was written, not even for UOTHER');
      assert.deepEqual(account.admins(), ['UOLD']);
    });
    // The way out the message names.
    const re = await t.cli(['users', 'reactivate', '--user', 'UGONE']);
    assert.equal(re.code, 0, re.stderr);
    assert.equal((await t.cli(['bootstrap', '--admin', 'UGONE'])).code, 0);
  }));

  it('with nobody named is a usage error (exit 2)', withCli(async (t) => {
    const r = await t.cli(['bootstrap']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'gatehouse bootstrap: name the Admin(s): --admin <Slack user id> (or set GATEHOUSE_BOOTSTRAP_ADMINS)\nusage: gatehouse bootstrap [--admin <Slack user id>]… [--name <account name>]\n');
  }));
});

describe('CLI: users and service accounts', () => {
  it('key for a user who does not exist says how to add them', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const r = await t.cli(['key', '--user', 'U0456EFGH', '--name', 'ci', '--kind', 'api_key']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'user U0456EFGH does not exist in account T00000000: add them first with "gatehouse users add --user U0456EFGH" (a person) or "gatehouse service-account create --id U0456EFGH --name <name> --role <role>" (CI)\n',
    );
  }));

  it('users add, then key --user works', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const add = await t.cli(['users', 'add', '--user', 'U0456EFGH', '--name', 'Dev Eloper', '--email', 'dev@example.com']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, 'Added user U0456EFGH (Dev Eloper) to account T00000000: viewer in general.\n');
    const again = await t.cli(['users', 'add', '--user', 'U0456EFGH']);
    assert.equal(again.stdout, 'User U0456EFGH (Dev Eloper) exists in account T00000000: viewer in general.\n');
    const key = await t.cli(['key', '--user', 'U0456EFGH', '--name', 'ci', '--kind', 'api_key']);
    assert.equal(key.code, 0, key.stderr);
    assert.match(key.stdout, /^api_key key_\S+ for U0456EFGH \(shown once\): ghk_\S+\n$/);
    await t.withStore(async (gh) => {
      const principal = await gh.authenticate(secretOn(key.stdout, 'api_key'));
      assert.equal(principal.actor.userId, 'U0456EFGH');
      assert.equal(principal.key.kind, 'api_key');
      assert.deepEqual(principal.account.view.users.U0456EFGH && { name: principal.account.view.users.U0456EFGH.name, email: principal.account.view.users.U0456EFGH.email }, { name: 'Dev Eloper', email: 'dev@example.com' });
    });
  }));

  it('service-account create with roles (global and in a team), then an API key for it', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const r = await t.cli(['service-account', 'create', '--id', 'ci-general', '--name', 'CI (general)', '--role', 'developer@general', '--role', 'qa']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Created service account ci-general ("CI (general)") in account T00000000: qa (global), developer in general, viewer in general.\n');
    assert.equal(r.stderr, 'Its API key: gatehouse key --user ci-general --name <what for> --kind api_key\n');
    const key = await t.cli(['key', '--user', 'ci-general', '--name', 'pipeline', '--kind', 'api_key']);
    assert.equal(key.code, 0, key.stderr);
    await t.withStore(async (gh) => {
      const principal = await gh.authenticate(secretOn(key.stdout, 'api_key'));
      assert.equal(principal.account.view.users['ci-general']?.serviceAccount, true);
      assert.equal(principal.account.can('ci-general', 'version:create', 'general'), true);
    });
  }));

  it('service-account create checks every role before changing anything, and names the closest', withCli(async (t) => {
    assert.equal((await t.cli(['bootstrap', '--admin', 'UOLD'])).code, 0);
    const r = await t.cli(['service-account', 'create', '--id', 'ci', '--name', 'CI', '--role', 'qa', '--role', 'developr']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^role "developr" does not exist in account T00000000 — did you mean "developer"\? \(roles: admin, .*developer.*\)\n$/);
    assert.equal(await t.withStore(async (gh) => Object.hasOwn((await gh.account(ACCOUNT)).view.users, 'ci')), false);
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

  it('a typo in a two-word command is named with the closest', withCli(async (t) => {
    for (const [args, line] of [
      [['users', 'ad', '--user', 'U1'], 'gatehouse: unknown command "users ad" — did you mean "users add"?'],
      [['user', 'add', '--user', 'U1'], 'gatehouse: unknown command "user add" — did you mean "users add"?'],
      [['users'], 'gatehouse: "users" needs one of: users add, users reactivate'],
      [['frobnicate'], 'gatehouse: unknown command "frobnicate"'],
    ] as const) {
      const r = await t.cli([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr.split('\n')[0], line);
    }
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
    for (const c of ['bootstrap', 'users add', 'users reactivate', 'service-account create', 'key', 'demo']) assert.match(all.stdout, new RegExp(`\\n {2}${c}`));
    const one = await t.cli(['service-account', 'create', '--help']);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /^usage: gatehouse service-account create --id <id> --name <name> \[--role <role\[@team\]>\]…\n/);
    assert.match(one.stdout, /--role <role\[@team\]> {2}a role to grant: .* \(may be repeated\)/);
  }));
});

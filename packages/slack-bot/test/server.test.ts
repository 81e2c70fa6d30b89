import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '@gatehouse/core';
import { Gatehouse } from '@gatehouse/core';
import { setup as restServer } from './rest-harness.js';
import { ConfigSchema } from '../src/config.js';
import { startServer } from '../src/server.js';
import { recordingLogger } from './support/slack-harness.js';
import { runNode, tempDir } from './support/run-node.js';

/** A plain TCP server holding a loopback port, as another process would. */
async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const holder = createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (holder.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => holder.close(() => resolve())),
  };
}

describe('server: start-up (npm start)', () => {
  it('a port already in use is named with what to do, and the server exits 1', async () => {
    const held = await holdPort();
    const tmp = tempDir();
    try {
      const r = await runNode('main', [], { cwd: tmp.dir, env: { PORT: String(held.port), HOST: '127.0.0.1', GATEHOUSE_STORE: `sqlite://${tmp.dir}/x.sqlite` } });
      assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
      assert.ok(r.stderr.includes(`port ${held.port} is already in use (another Gatehouse?): stop it or set PORT=<free port> (PORT=0 picks one)`), r.stderr);
      assert.doesNotMatch(r.stderr, /Cannot read properties/);
      assert.doesNotMatch(r.stdout, /Gatehouse is up/);
    } finally {
      tmp.cleanup();
      await held.close();
    }
  });

  it('reads PORT and the rest from .env in the current directory (the environment wins)', async () => {
    const held = await holdPort();
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, '.env'), `PORT=${held.port}\nHOST=127.0.0.1\nGATEHOUSE_STORE=sqlite://${tmp.dir}/x.sqlite\nGATEHOUSE_ACCOUNT_ID=TDOTENV\n`);
      const r = await runNode('main', [], { cwd: tmp.dir, env: { GATEHOUSE_ACCOUNT_ID: 'TFROMENV' } });
      assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
      assert.ok(r.stderr.includes(`port ${held.port} is already in use`), r.stderr);
      const read = r.stdout.split('\n').filter((l) => l.includes('read .env')).map((l) => JSON.parse(l) as { path: string; variables: string[] });
      assert.deepEqual(read.map((l) => ({ path: l.path, variables: [...l.variables].sort() })), [{ path: join(tmp.dir, '.env'), variables: ['GATEHOUSE_STORE', 'HOST', 'PORT'] }], 'logged: the file and what it set (not the account id the environment set)');
      assert.match(r.stderr, /account TFROMENV does not exist yet/);
    } finally {
      tmp.cleanup();
      await held.close();
    }
  });
});

describe('server: GATEHOUSE_BOOTSTRAP_ADMINS at start-up', () => {
  /** A memory store whose account exists with UOLD as its only Admin, and a way to start the server on it. */
  async function setup() {
    const gatehouse = await Gatehouse.open({ url: 'memory' });
    const account = await gatehouse.createAccount('TBOOT', { name: 'Boot', admins: [{ userId: 'UOLD' }] });
    const start = async (admins: string) => {
      const logger = recordingLogger();
      const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TBOOT', GATEHOUSE_BOOTSTRAP_ADMINS: admins });
      const server = await startServer(config, { gatehouse, logger });
      await server.close();
      return logger.lines.filter((l) => l.msg.includes('GATEHOUSE_BOOTSTRAP_ADMINS') || l.msg === 'account created');
    };
    return { gatehouse, account, start };
  }

  it('on an existing account makes the named users Admins, and logs it', async () => {
    const t = await setup();
    try {
      const lines = await t.start('UNEW, UOLD');
      assert.deepEqual(t.account.admins(), ['UNEW', 'UOLD']);
      assert.deepEqual(lines, [{ level: 'info', msg: 'GATEHOUSE_BOOTSTRAP_ADMINS: made Admin of the existing account', facts: { account: 'TBOOT', made: ['UNEW'], already: ['UOLD'] } }]);
      const grant = Object.values(t.account.view.grants).find((g) => g.subject.id === 'UNEW' && g.roleId === 'admin');
      assert.equal(grant?.grantedBy, 'system', 'the audit trail says who: the system, at start-up');
    } finally {
      await t.gatehouse.close();
    }
  });

  it('every start: when they are Admins already nothing is written, and the log says so', async () => {
    const t = await setup();
    try {
      await t.start('UNEW');
      const seq = t.account.seq;
      const lines = await t.start('UNEW');
      assert.equal(t.account.seq, seq, 'no commit');
      assert.deepEqual(lines, [{ level: 'info', msg: 'GATEHOUSE_BOOTSTRAP_ADMINS: Admins already, nothing changed', facts: { account: 'TBOOT', already: ['UNEW'] } }]);
    } finally {
      await t.gatehouse.close();
    }
  });

  it('a deactivated user is not reactivated: a warning says why and what to do, and the server starts', async () => {
    const t = await setup();
    try {
      await t.account.ensureUser({ userId: 'UGONE' });
      await t.account.deactivateUser({ userId: 'UOLD' }, { userId: 'UGONE' });
      const lines = await t.start('UGONE,UNEW');
      assert.deepEqual(t.account.admins(), ['UNEW', 'UOLD']);
      assert.equal(t.account.view.users.UGONE?.active, false);
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg]),
        [
          ['info', 'GATEHOUSE_BOOTSTRAP_ADMINS: made Admin of the existing account'],
          ['warn', 'GATEHOUSE_BOOTSTRAP_ADMINS: UGONE is deactivated in account TBOOT, so not made Admin (start-up does not reactivate users): reactivate them with "npm run gatehouse -- users reactivate --user UGONE", or take them out of GATEHOUSE_BOOTSTRAP_ADMINS'],
        ],
      );
    } finally {
      await t.gatehouse.close();
    }
  });

  it('creates a missing account with them, as before', async () => {
    const gatehouse = await Gatehouse.open({ url: 'memory' });
    try {
      const logger = recordingLogger();
      const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TNEW', GATEHOUSE_BOOTSTRAP_ADMINS: 'UA,UB' });
      const server = await startServer(config, { gatehouse, logger });
      await server.close();
      assert.deepEqual((await gatehouse.account('TNEW')).admins(), ['UA', 'UB']);
      assert.deepEqual(logger.lines.filter((l) => l.msg === 'account created'), [{ level: 'info', msg: 'account created', facts: { account: 'TNEW', admins: ['UA', 'UB'] } }]);
    } finally {
      await gatehouse.close();
    }
  });

  it('an id that cannot be a user stops start-up naming the variable', async () => {
    const gatehouse = await Gatehouse.open({ url: 'memory' });
    try {
      const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TNEW', GATEHOUSE_BOOTSTRAP_ADMINS: 'UA,system' });
      await assert.rejects(startServer(config, { gatehouse, logger: recordingLogger() }), /^Error: GATEHOUSE_BOOTSTRAP_ADMINS: "system" is not a user id/);
      assert.equal((await gatehouse.account('TNEW')).exists, false, 'nothing created');
    } finally {
      await gatehouse.close();
    }
  });
});

describe('server: background work only for the accounts it serves', () => {
  it('the expiry sweep records the expired grants of a served account, never those of another account in the store', async () => {
    const ctx = await restServer({ GATEHOUSE_SWEEP_MS: '1000' });
    try {
      const other = await ctx.gatehouse.account('TOTHER');
      const grant = async (a: Account) => (await a.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'UQUINN' }, roleId: 'viewer', teamId: 'search', durationMs: 60_000 })).grant?.id ?? assert.fail('a grant');
      const mine = await grant(ctx.account);
      const theirs = await grant(other);
      ctx.clock.advance(120_000);
      const deadline = Date.now() + 5_000;
      while (Object.hasOwn(ctx.account.view.grants, mine) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(Object.hasOwn(ctx.account.view.grants, mine), false, 'the served account was swept');
      assert.equal(Object.hasOwn(other.view.grants, theirs), true, 'the other account was not');
    } finally {
      await ctx.close();
    }
  });
});

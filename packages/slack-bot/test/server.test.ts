import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

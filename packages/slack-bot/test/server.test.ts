import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
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
});

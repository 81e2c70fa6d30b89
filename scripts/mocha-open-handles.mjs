// A mocha root hook (see .mocharc.json): after the last test, names what would keep the process
// alive — a server, socket, child process or pipe a test forgot to close. Mocha then exits
// anyway ("exit": true): one leaked handle in a rare interleaving once left CI waiting after
// "N passing"; the run must end, and the leak must still be seen.
import { setTimeout as sleep } from 'node:timers/promises';

const STDIO = new Set([process.stdin, process.stdout, process.stderr]);

function describe(h) {
  const name = h?.constructor?.name ?? typeof h;
  switch (name) {
    case 'Socket':
      return `Socket ${h.remoteAddress ?? ''}:${h.remotePort ?? ''} (local port ${h.localPort ?? '?'})`;
    case 'Server':
      return `Server ${JSON.stringify(h.address?.() ?? null)}`;
    case 'ChildProcess':
      return `ChildProcess ${h.pid} ${(h.spawnargs ?? []).join(' ').slice(0, 160)}`;
    default:
      return name;
  }
}

export const mochaHooks = {
  async afterAll() {
    // Let closes that are already under way finish.
    await sleep(300);
    const open = process
      ._getActiveHandles()
      .filter((h) => !STDIO.has(h))
      // Only what keeps the process alive: unref'd handles do not.
      .filter((h) => typeof h?.hasRef !== 'function' || h.hasRef());
    // Timers are not listed (Node 20 keeps them elsewhere, and mocha's own hook timers would
    // be among them); servers, sockets, child processes and pipes are.
    if (open.length) {
      console.warn(`\n⚠ ${open.length} handle(s) still open after the last test (mocha exits anyway):`);
      for (const h of open) console.warn(`  - ${describe(h)}`);
    }
  },
};

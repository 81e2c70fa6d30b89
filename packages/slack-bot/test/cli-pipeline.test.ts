import assert from 'node:assert/strict';
import type { Account } from '@gatehouse/core';
import { FakeClock, Gatehouse } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import type { RunningServer } from '../src/server.js';
import { startServer } from '../src/server.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanEnv, runNode } from './support/run-node.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** The CLI as a child whose stderr can be awaited (to act only once it is really waiting). */
function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const stderrMatches = async (re: RegExp) => {
    for (let i = 0; i < 600 && !re.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(stderr, re, 'the CLI never said it was waiting');
  };
  return { done, stderrMatches };
}

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** A server with the demo account, and `gatehouse …` run as CI with the demo's CI key. */
async function setup() {
  const gatehouse = await Gatehouse.open({ url: 'memory', clock: new FakeClock(Date.now()) });
  const demo = await seedDemo(gatehouse, 'TDEMO');
  const server: RunningServer = await startServer(ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TDEMO' }), { gatehouse, logger: silent });
  const account: Account = await gatehouse.account('TDEMO');
  const ci = demo.keys.find((k) => k.userId === 'UCI')?.secret ?? assert.fail('no CI key in the demo');
  const cli = (args: string[], env: Record<string, string> = {}) => runNode('cli', args, { env: { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: ci, ...env }, timeoutMs: 60_000 });
  const waitingCli = (args: string[]) => spawnCli(args, { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: ci });
  /** Every missing approval given by someone who may give it. */
  const approveAll = async (versionId: string) => {
    for (const a of account.approvers(versionId, 'production')) {
      for (const userId of a.userIds.slice(0, a.missing)) await account.decideVersion({ userId }, { versionId, approvalType: a.type, decision: 'approve' });
    }
  };
  const close = async () => {
    await server.close();
    await gatehouse.close();
  };
  return { account, cli, waitingCli, approveAll, close, server };
}

const V = ['--product', 'checkout', '--version', '9.9.9'];
const GATE = ['gate', ...V, '--env', 'production'];

describe('CLI for pipelines: version create, approval request, gate, deploy', function () {
  this.timeout(120_000);
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.close();
  });

  it('registers a version (idempotent), asks for approval, and the gate says what is missing and who can give it (exit 1)', async () => {
    const created = await t.cli(['version', 'create', ...V, '--commit', 'abc1234']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^ver_/);
    assert.equal((await t.cli(['version', 'create', ...V])).stdout.trim(), id, 'a retry made a second version');
    assert.equal(t.account.view.versions[id]?.commit, 'abc1234');
    const asked = await t.cli(['approval', 'request', ...V, '--env', 'production']);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /approval requested; missing: /);
    const gate = await t.cli(GATE);
    assert.equal(gate.code, 1, gate.stderr);
    assert.match(gate.stdout, /^checkout 9\.9\.9 → production: blocked\n/);
    assert.match(gate.stdout, /qa: \d more approvals? — can give it: .*Quinn \(QA\)/);
  });

  it('--wait returns 0 the moment the last approval lands, 1 on a rejection', async () => {
    const id = (await t.cli(['version', 'create', ...V])).stdout.trim();
    await t.cli(['approval', 'request', ...V, '--env', 'production']);
    const waiting = t.waitingCli([...GATE, '--wait', '--timeout', '5m']);
    await waiting.stderrMatches(/waiting for approvals of checkout 9\.9\.9 → production/);
    const clicked = Date.now();
    await t.approveAll(id);
    const r = await waiting.done;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /: ready\n$/);
    assert.ok(Date.now() - clicked < 5_000, 'the waiting gate was not answered promptly');
    const other = (await t.cli(['version', 'create', '--product', 'checkout', '--version', '9.9.10'])).stdout.trim();
    await t.cli(['approval', 'request', '--product', 'checkout', '--version', '9.9.10', '--env', 'production']);
    const w2 = t.waitingCli(['gate', '--product', 'checkout', '--version', '9.9.10', '--env', 'production', '--wait']);
    await w2.stderrMatches(/waiting for approvals/);
    await t.account.decideVersion({ userId: 'UQUINN' }, { versionId: other, approvalType: 'qa', decision: 'reject', reason: 'flaky checkout tests' });
    const r2 = await w2.done;
    assert.equal(r2.code, 1, `${r2.stdout}\n${r2.stderr}`);
    assert.match(r2.stdout, /: rejected\n {2}qa: rejected by UQUINN/);
  });

  it('times out with 2, or 0 with --on-timeout pass; errors are 3', async () => {
    await t.cli(['version', 'create', ...V]);
    const timedOut = await t.cli([...GATE, '--wait', '--timeout', '2s']);
    assert.equal(timedOut.code, 2, timedOut.stderr);
    assert.match(timedOut.stdout, /: timed out\n/);
    const passed = await t.cli([...GATE, '--wait', '--timeout', '2s', '--on-timeout', 'pass']);
    assert.equal(passed.code, 0);
    assert.match(passed.stderr, /passing anyway/);
    const unknown = await t.cli(['gate', '--product', 'checkout', '--version', '0.0.0-never', '--env', 'production']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /was never registered: run "gatehouse version create/);
    assert.equal((await t.cli(GATE, { GATEHOUSE_TOKEN: 'ghk_nope_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).code, 3);
    const down = await t.cli(GATE, { GATEHOUSE_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach/);
    assert.equal((await t.cli([...GATE, '--timeout', 'soon'])).code, 3);
  });

  it('deploy is refused while the gate is blocked (1) and recorded once it is ready (0)', async () => {
    const id = (await t.cli(['version', 'create', ...V])).stdout.trim();
    const blocked = await t.cli(['deploy', ...V, '--env', 'production']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /cannot go to/);
    await t.approveAll(id);
    const done = await t.cli(['deploy', ...V, '--env', 'production']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /deployed to production \(dep_/);
  });
});

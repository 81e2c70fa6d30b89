import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../src/index.js';
import { PARTS, PEERS } from '../src/index.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** Runs `npm run bench -- --quick` the way a person does (the built main.js), with the numbers also as JSON. */
async function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string; report: BenchReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-test-'));
  const json = join(dir, 'report.json');
  try {
    const child = spawn(process.execPath, [MAIN, '--quick', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const report = code === 0 ? (JSON.parse(readFileSync(json, 'utf8')) as BenchReport) : ({} as BenchReport);
    return { code, stdout, stderr, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Exercises the harness end to end on small sizes; timings are never asserted (a benchmark measures them).
describe('npm run bench -- --quick', function () {
  // Six parts, three stores and two servers of their own: about two minutes on two busy cores.
  this.timeout(300_000);
  let run: Awaited<ReturnType<typeof runQuick>>;
  before(async () => {
    run = await runQuick();
  });

  it('exits 0 and prints one markdown table per part', () => {
    assert.equal(run.code, 0, run.stderr);
    const titles = [...run.stdout.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]);
    assert.deepEqual(titles, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    assert.equal((run.stdout.match(/^\| --- \|/gm) ?? []).length, PARTS.length);
    assert.deepEqual(Object.keys(run.report.tables).sort(), [...PARTS].sort());
  });

  it('authorisation: every peer measured at every size, and none disagrees with Gatehouse', () => {
    const sizes = run.report.authz?.sizes ?? [];
    assert.ok(sizes.length > 0);
    for (const s of sizes) {
      assert.deepEqual(s.peers.map((p) => p.id), [...PEERS]);
      for (const p of s.peers) {
        assert.ok(p.checked > 0, `${p.id} checked nothing`);
        assert.equal(p.disagreements, 0, `${p.id} at ${String(s.users)} users: ${String(p.disagreements)} answers differ`);
        assert.equal(p.roleChangeNs.wrong, 0, `${p.id}: a role change was not reflected by the next check`);
        assert.ok(p.roleChangeNs.n > 0);
        assert.match(run.stdout, new RegExp(p.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      }
      // Not a hollow workload: both answers occur, around the intended mix.
      assert.ok(s.allowedRate > 0.5 && s.allowedRate < 0.9, `allowed ${String(s.allowedRate)}`);
      assert.ok(s.crossTeamRate > 0.05 && s.crossTeamRate < 0.15, `cross-team ${String(s.crossTeamRate)}`);
    }
  });

  it('Slack: every click acknowledged and recorded as exactly one decision', () => {
    const s = run.report.slack;
    assert.ok(s, 'the slack part ran');
    assert.ok(s.clicks > 0, 'clicks were sent');
    assert.equal(s.acked, s.clicks, 'every click was acknowledged with 200');
    assert.equal(s.decisionsRecorded, s.clicks, 'decisions recorded = clicks');
    assert.equal(s.clicksRecorded, s.clicks, "each click's own decision is in the log");
    assert.equal(s.updated, s.clicks, 'every approval reached its message and thread');
    assert.equal(s.errors, 0, s.errorSamples.join('\n'));
    assert.match(run.stdout, /^## 2\. Slack interactions$/m);
  });

  it('REST: both endpoints under load, without errors', () => {
    const eps = run.report.rest?.endpoints ?? [];
    assert.deepEqual([...new Set(eps.map((e) => e.path))], ['/api/v1/me', '/api/v1/approvals/pending']);
    assert.ok(eps.length >= 2);
    for (const e of eps) {
      assert.ok(e.responses > 0, `${e.path}: no response`);
      assert.equal(e.errors, 0, `${e.path}: ${String(e.errors)} errors`);
    }
  });

  it('storage: appended through the API, loaded back with and without a snapshot, chain intact', () => {
    const s = run.report.storage;
    assert.ok(s);
    assert.ok(s.appended > 0);
    assert.equal(s.logEvents, 10_000);
    assert.equal(s.chainVerified, true);
    assert.ok(s.coldStartSnapshotMs.n > 0 && s.coldStartNoSnapshotMs.n > 0);
    assert.ok(s.limitRowsPerSec.n > 0 && s.limitRowsPerSec.median > 0, 'the bare INSERT limit was measured');
  });

  it('storage: SQLite, Redis and PostgreSQL each appended, filled, loaded back with the chain intact, and followed by another instance', () => {
    const stores = run.report.storage?.stores ?? [];
    assert.deepEqual(stores.map((s) => s.store), ['sqlite', 'redis', 'postgres']);
    for (const s of stores) {
      assert.ok(s.appended > 0, `${s.name}: nothing appended`);
      assert.equal(s.logEvents, 10_000, s.name);
      assert.equal(s.chainVerified, true, `${s.name}: the hash chain did not verify`);
      assert.ok(s.coldStartSnapshotMs.n > 0 && s.coldStartNoSnapshotMs.n > 0, s.name);
      assert.ok(s.limitRowsPerSec.median > 0, `${s.name}: the limit was not measured`);
      assert.ok(s.bytes > 0, `${s.name}: no size`);
      assert.ok(s.visibleWrites > 0, s.name);
      assert.equal(s.visibleSeen, s.visibleWrites, `${s.name}: another instance missed commits`);
    }
    assert.match(run.stdout, /^## 4\. Storage \(SQLite, Redis, PostgreSQL\)$/m);
  });

  it('gate: every waiting step exited 0 on the deciding click, and every parked waiter was answered ready', () => {
    const g = run.report.gate;
    assert.ok(g, 'the gate part ran');
    assert.deepEqual(g.clients.map((c) => c.client), ['long-poll', 'poll', 'poll']);
    for (const c of g.clients) {
      assert.ok(c.rounds > 0);
      assert.equal(c.passed, c.rounds, `${c.client} ${String(c.intervalMs)}: ${c.errors.join('; ')}`);
      assert.equal(c.exitMs.n, c.rounds);
    }
    const f = g.fanout;
    assert.ok(f.waiters > 0);
    assert.equal(f.parked, f.waiters, 'the server did not hold every waiter at once');
    assert.equal(f.each.ready, f.waiters, 'waiters readied one by one: not all answered ready');
    assert.equal(f.oneCommit.ready, f.waiters, 'waiters readied by one commit: not all answered ready');
    assert.deepEqual(f.errors, []);
    assert.match(run.stdout, /^## 6\. The gate in the pipeline$/m);
  });

  it('extension: activation measured in the real VS Code, bundle size read', () => {
    const e = run.report.extension;
    assert.ok(e, 'the extension part ran');
    assert.equal(e.passes, 1);
    for (const [what, s] of [['activate()', e.activateMs], ['view → active', e.openToActiveMs], ['window', e.windowMs]] as const) {
      assert.equal(s.n, 1, `${what}: one measurement`);
      assert.ok(Number.isFinite(s.median) && s.median > 0, `${what}: ${String(s.median)}`);
    }
    assert.ok(e.bundle.bytes > 0 && e.bundle.gzipBytes > 0 && e.bundle.gzipBytes < e.bundle.bytes);
    assert.match(run.stdout, /^## 5\. VS Code extension$/m);
  });
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { command, inputVariable, outputRecord, parseBoolean } from '../src/action/workflow.js';
import { setup } from './rest-harness.js';
import { runNode, tempDir } from './support/run-node.js';

/**
 * The runner's reading of GITHUB_OUTPUT (actions/runner FileCommandManager): `name=value` when
 * `=` comes before any `<<`, else `name<<DELIM` and the lines up to one equal to DELIM.
 */
function parseOutputFile(text: string): Record<string, string> {
  const lines = text.split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
      continue;
    }
    assert.ok(heredoc > 0, `not an output line: ${line}`);
    const delimiter = line.slice(heredoc + 2);
    const end = lines.indexOf(delimiter, i + 1);
    assert.ok(end > i, `the heredoc of ${line} is never closed`);
    out[line.slice(0, heredoc)] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** A loopback port nothing listens on (taken from the kernel, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return typeof address === 'object' && address ? address.port : assert.fail('no port');
}

/** The demo server, and the Action's bundle run as the runner runs it: `node index.cjs`, inputs in INPUT_*, a fresh GITHUB_OUTPUT. */
async function world() {
  const t = await setup();
  const ci = t.key('UCI');
  const tmp = tempDir('gatehouse-action-');
  const action = async (inputs: Record<string, string>, env: Record<string, string> = {}) => {
    const output = join(tmp.dir, `output-${String(Date.now())}-${Math.random().toString(36).slice(2)}`);
    const summary = `${output}.md`;
    const vars = Object.fromEntries(Object.entries({ url: t.server.url, token: ci, product: 'checkout', environment: 'production', ...inputs }).map(([k, v]) => [inputVariable(k), v]));
    const r = await runNode('action', [], { cwd: tmp.dir, env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...vars, ...env }, timeoutMs: 60_000 });
    const raw = existsSync(output) ? readFileSync(output, 'utf8') : '';
    return { ...r, raw, outputs: parseOutputFile(raw), summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
  };
  /** A fresh version of checkout with approval requested for production. */
  const version = async (v: string) => {
    const { version: created } = await t.account.createVersion({ userId: 'UCI' }, { productId: 'checkout', version: v });
    await t.account.requestApproval({ userId: 'UCI' }, { versionId: created.id, environmentId: 'production' });
    return created.id;
  };
  const approveAll = async (versionId: string) => {
    for (const a of t.account.approvers(versionId, 'production')) {
      for (const userId of a.userIds.slice(0, a.missing)) await t.account.decideVersion({ userId }, { versionId, approvalType: a.type, decision: 'approve' });
    }
  };
  const close = async () => {
    await t.close();
    tmp.cleanup();
  };
  return { t, ci, action, version, approveAll, close };
}

describe('GitHub Action (the committed bundle, run as the runner runs it)', function () {
  this.timeout(120_000);
  let w: Awaited<ReturnType<typeof world>>;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.close();
  });

  it('ready: exit 0, status=ready, nothing missing; the token is masked before anything else is printed', async () => {
    await w.approveAll(await w.version('2.0.0'));
    const r = await w.action({ version: '2.0.0' });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.outputs, { status: 'ready', missing: '' });
    assert.equal(r.stdout.split('\n')[0], `::add-mask::${w.ci}`);
    assert.equal(`${r.stdout}${r.stderr}`.split(w.ci).length, 2, 'the token was printed besides the mask command');
    assert.match(r.stdout, /^checkout 2\.0\.0 → production: ready$/m);
    assert.doesNotMatch(r.stdout, /::(error|warning)/);
    assert.match(r.summary, /^### Gatehouse gate: checkout 2\.0\.0 → production — ready/);
  });

  it('blocked with wait false: exit 1, status=blocked, missing as lines (heredoc in GITHUB_OUTPUT), an error annotation', async () => {
    await w.version('2.0.1');
    const r = await w.action({ version: '2.0.1', wait: 'false' });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.outputs['status'], 'blocked');
    assert.deepEqual(r.outputs['missing']?.split('\n').map((l) => l.split(':')[0]), ['qa', 'security', 'operational']);
    assert.match(r.raw, /^missing<<ghadelimiter_[0-9a-f-]{36}\nqa: 1 more approval\n/m, 'a multi-line value is written as a heredoc');
    const annotation = r.stdout.split('\n').find((l) => l.startsWith('::error '));
    assert.ok(annotation, r.stdout);
    assert.match(annotation, /^::error title=Gatehouse gate::checkout 2\.0\.1 → production is blocked \(wait: false\), still missing:%0A- qa: 1 more approval%0A- security/);
    assert.match(r.stdout, /qa: 1 more approval — can give it: .*Quinn \(QA\)/);
  });

  it('waits (the default) and returns 0 with status=ready the moment the last approval lands', async () => {
    const id = await w.version('2.0.2');
    const waiting = w.action({ version: '2.0.2' });
    await new Promise((r) => setTimeout(r, 1500));
    const approved = Date.now();
    await w.approveAll(id);
    const r = await waiting;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.outputs, { status: 'ready', missing: '' });
    assert.ok(Date.now() - approved < 5_000, 'the waiting Action was not answered promptly');
    assert.match(r.stderr, /waiting for approvals of checkout 2\.0\.2 → production/);
  });

  it('rejected: exit 1, status=rejected, missing names who rejected', async () => {
    const id = await w.version('2.0.3');
    const waiting = w.action({ version: '2.0.3' });
    await new Promise((r) => setTimeout(r, 1500));
    await w.t.account.decideVersion({ userId: 'UQUINN' }, { versionId: id, approvalType: 'qa', decision: 'reject', reason: 'flaky checkout tests' });
    const r = await waiting;
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.outputs['status'], 'rejected');
    assert.match(r.outputs['missing'] ?? '', /^qa: rejected by UQUINN/m);
    assert.match(r.stdout, /^::error title=Gatehouse gate::checkout 2\.0\.3 → production was rejected:%0A- qa: rejected by UQUINN/m);
  });

  it('timed out: exit 2 and status=timed_out; with on-timeout pass, exit 0 and a warning', async () => {
    await w.version('2.0.4');
    const failed = await w.action({ version: '2.0.4', timeout: '2s' });
    assert.equal(failed.code, 2, failed.stderr);
    assert.equal(failed.outputs['status'], 'timed_out');
    assert.equal(failed.outputs['missing']?.split('\n').length, 3);
    assert.match(failed.stdout, /^::error title=Gatehouse gate::checkout 2\.0\.4 → production was not decided within 2s; still missing:/m);
    const passed = await w.action({ version: '2.0.4', timeout: '2s', 'on-timeout': 'pass' });
    assert.equal(passed.code, 0, passed.stderr);
    assert.equal(passed.outputs['status'], 'timed_out');
    assert.match(passed.stdout, /^::warning title=Gatehouse gate::checkout 2\.0\.4 → production was not decided within 2s, passing anyway \(on-timeout: pass\)/m);
    assert.doesNotMatch(passed.stdout, /^::error/m);
  });

  it('errors are status=error, exit 3: a bad token, an unreachable server, an unknown version, missing or wrong inputs', async () => {
    await w.version('2.0.5');
    const badKey = await w.action({ version: '2.0.5', token: 'ghk_nope_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
    assert.equal(badKey.code, 3);
    assert.deepEqual(badKey.outputs, { status: 'error', missing: '' });
    assert.match(badKey.stdout, /^::error title=Gatehouse gate::the API key or token is not valid/m);
    const down = await w.action({ version: '2.0.5', url: `http://127.0.0.1:${String(await closedPort())}` });
    assert.equal(down.code, 3);
    assert.equal(down.outputs['status'], 'error');
    assert.match(down.stdout, /^::error title=Gatehouse gate::cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1: .* — check the url input$/m);
    const unknown = await w.action({ version: '0.0.0-never' });
    assert.equal(unknown.code, 3);
    assert.equal(unknown.outputs['status'], 'error');
    assert.match(unknown.stdout, /was never registered/);
    const bad = await w.action({ version: '', product: '', wait: 'yes', timeout: 'soon', 'on-timeout': 'maybe' });
    assert.equal(bad.code, 3);
    assert.equal(bad.outputs['status'], 'error');
    assert.match(bad.stdout, /the inputs product, version are required: set them under "with:"; wait: "yes" is not a boolean.*; timeout: "soon" is not a duration.*; on-timeout: "maybe" is not fail or pass/);
  });

  it('appends to GITHUB_OUTPUT (earlier steps keep theirs) and says so when there is none', async () => {
    await w.approveAll(await w.version('2.0.6'));
    const dir = tempDir('gatehouse-action-out-');
    try {
      const file = join(dir.dir, 'output');
      writeFileSync(file, 'earlier=kept\n');
      const r = await w.action({ version: '2.0.6' }, { GITHUB_OUTPUT: file });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(parseOutputFile(readFileSync(file, 'utf8')), { earlier: 'kept', status: 'ready', missing: '' });
      const none = await w.action({ version: '2.0.6' }, { GITHUB_OUTPUT: '' });
      assert.equal(none.code, 0);
      assert.match(none.stderr, /GITHUB_OUTPUT is not set/);
    } finally {
      dir.cleanup();
    }
  });
});

describe('GitHub Action: the runner protocol', () => {
  it('names input variables as the runner does', () => {
    assert.equal(inputVariable('on-timeout'), 'INPUT_ON-TIMEOUT');
    assert.equal(inputVariable('my input'), 'INPUT_MY_INPUT');
  });

  it('reads booleans as YAML 1.2 spells them, nothing else', () => {
    assert.deepEqual(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'yes', '1', ''].map(parseBoolean), [true, true, true, false, false, false, null, null, null]);
  });

  it('escapes commands so a value cannot end the line or inject a property', () => {
    assert.equal(command('error', '50% done\r\nnext', { title: 'a:b,c' }), '::error title=a%3Ab%2Cc::50%25 done%0D%0Anext');
    assert.equal(command('add-mask', 'secret'), '::add-mask::secret');
  });

  it('writes single-line outputs as name=value, multi-line ones as a heredoc a value cannot close', () => {
    assert.equal(outputRecord('status', 'ready'), 'status=ready\n');
    assert.equal(outputRecord('missing', 'a\nb', 'EOF'), 'missing<<EOF\na\nb\nEOF\n');
    assert.throws(() => outputRecord('missing', 'a\nEOF\nstatus=ready', 'EOF'), /contains its delimiter/);
    const random = outputRecord('missing', 'a\nb');
    assert.deepEqual(parseOutputFile(random), { missing: 'a\nb' });
    assert.notEqual(random, outputRecord('missing', 'a\nb'), 'the delimiter is not random');
  });
});

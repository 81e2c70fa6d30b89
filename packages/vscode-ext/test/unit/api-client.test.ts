import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpApiClient, normalizeServerUrl } from '../../src/api-client.js';
import { GatehouseApiError } from '../../src/errors.js';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';

/** A server answering every request with the given status and body, to test what Gatehouse would never send. */
async function fakeServer(status: number, body: string, contentType = 'application/json') {
  const s = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType }).end(body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => s.close(() => r())) };
}

async function rejectsWith(p: Promise<unknown>, kind: GatehouseApiError['kind'], message?: RegExp): Promise<GatehouseApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GatehouseApiError, `expected a GatehouseApiError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  return assert.fail(`expected a ${kind} failure`);
}

describe('vscode-ext: normalizeServerUrl', () => {
  it('keeps http(s) origins and paths, drops a trailing slash and a pasted /api/v1', () => {
    assert.equal(normalizeServerUrl(' http://localhost:3000/ '), 'http://localhost:3000');
    assert.equal(normalizeServerUrl('https://gh.example.com/gatehouse/api/v1/'), 'https://gh.example.com/gatehouse');
    assert.equal(normalizeServerUrl('HTTP://LOCALHOST:3000'), 'http://localhost:3000');
  });
  it('refuses what is not a plain http(s) URL', () => {
    for (const bad of ['', 'localhost:3000', 'ftp://x', 'file:///etc/passwd', 'http://u:p@host', 'http://h/?q=1', 'not a url']) assert.equal(normalizeServerUrl(bad), null, bad);
  });
});

describe('vscode-ext: HttpApiClient against a real Gatehouse server', () => {
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer();
  });
  after(async () => {
    await demo.close();
  });
  const client = (key: string) => new HttpApiClient({ baseUrl: demo.url, key });

  it('GET /me: who I am, my roles and permissions per scope', async () => {
    const me = await client(demo.key('UDEV')).me();
    assert.equal(me.user.id, 'UDEV');
    assert.equal(me.primaryRole, 'Developer');
    assert.equal(me.key.kind, 'personal_token');
    const payments = me.scopes.find((s) => s.teamId === 'payments');
    assert.deepEqual(payments?.roles.map((r) => [r.roleName, r.via]), [['Developer', null]]);
    assert.ok(payments?.permissions.includes('version:create'));
  });

  it('GET /can: allowed, and denied with the reason', async () => {
    const c = client(demo.key('UDEV'));
    const yes = await c.can('version:create', 'payments');
    assert.equal(yes.allowed, true);
    const no = await c.can('gate:override', 'payments');
    assert.equal(no.allowed, false);
    assert.match(no.reason ?? '', /gate:override in team Payments; roles that do: Admin, Release Manager/);
    assert.equal(no.teamName, 'Payments');
    const global = await c.can('version:create', null);
    assert.equal(global.teamId, null);
    assert.equal(global.allowed, false);
  });

  it('pending approvals and a decision that reaches the server', async () => {
    const qa = client(demo.key('UQUINN'));
    const before = await qa.pendingApprovals();
    const item = before.find((i) => i.version.version === '3.2.0');
    assert.ok(item, 'Search API 3.2.0 waits for QA');
    assert.deepEqual(item.canGive, ['qa']);
    const out = await qa.decide(item.version.id, { approvalType: 'qa', decision: 'approve' });
    assert.equal(out.changed, true);
    const stored = demo.account.view.versions[item.version.id];
    assert.ok(stored?.decisions.some((d) => d.approverId === 'UQUINN' && d.type === 'qa' && d.decision === 'approve'), 'the server recorded the approval');
    assert.equal((await qa.pendingApprovals()).some((i) => i.version.id === item.version.id), false);
  });

  it('a rejection without a reason is refused before any request; the server’s refusals keep their code', async () => {
    const sec = client(demo.key('USEC'));
    const [item] = await sec.pendingApprovals();
    assert.ok(item);
    await rejectsWith(sec.decide(item.version.id, { approvalType: 'security', decision: 'reject' }), 'refused', /reason/);
    const e = await rejectsWith(sec.decide(item.version.id, { approvalType: 'qa', decision: 'approve' }), 'refused');
    assert.equal(e.facts.code, 'forbidden');
    assert.equal(e.facts.status, 403);
  });

  it('an unknown key is unauthorized', async () => {
    const e = await rejectsWith(client('ghp_not-a-key').me(), 'unauthorized');
    assert.equal(e.facts.status, 401);
  });
});

describe('vscode-ext: HttpApiClient failures', () => {
  it('unreachable: connection refused', async () => {
    const gone = await fakeServer(200, '{}');
    await gone.close();
    await rejectsWith(new HttpApiClient({ baseUrl: gone.url, key: 'k' }).me(), 'unreachable', /connection refused|ECONNREFUSED/);
  });

  it('unreachable: no answer within the timeout', async () => {
    const s = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      await rejectsWith(new HttpApiClient({ baseUrl: url, key: 'k', timeoutMs: 200 }).me(), 'unreachable', /no answer within 0.2 s/);
    } finally {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('unreachable: a proxy answering 502 for a stopped server', async () => {
    const s = await fakeServer(502, '<html>Bad Gateway</html>', 'text/html');
    try {
      await rejectsWith(new HttpApiClient({ baseUrl: s.url, key: 'k' }).me(), 'unreachable', /HTTP 502/);
    } finally {
      await s.close();
    }
  });

  it('invalid_response: not a Gatehouse server, or an answer that breaks the contract', async () => {
    const html = await fakeServer(404, '<html>Not found</html>', 'text/html');
    const wrong = await fakeServer(200, JSON.stringify({ account: { id: 'T1' } }));
    try {
      await rejectsWith(new HttpApiClient({ baseUrl: html.url, key: 'k' }).me(), 'invalid_response', /does not look like a Gatehouse server/);
      await rejectsWith(new HttpApiClient({ baseUrl: wrong.url, key: 'k' }).me(), 'invalid_response', /does not match the Gatehouse contract/);
    } finally {
      await html.close();
      await wrong.close();
    }
  });

  it('rate_limited and server_error keep the server’s message', async () => {
    const limited = await fakeServer(429, JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
    const broken = await fakeServer(500, JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
    try {
      await rejectsWith(new HttpApiClient({ baseUrl: limited.url, key: 'k' }).pendingApprovals(), 'rate_limited', /slow down/);
      await rejectsWith(new HttpApiClient({ baseUrl: broken.url, key: 'k' }).pendingApprovals(), 'server_error', /internal error/);
    } finally {
      await limited.close();
      await broken.close();
    }
  });

  it('sends the key as a Bearer token and JSON bodies with their content type', async () => {
    const seen: { auth?: string; type?: string; body: string }[] = [];
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'validation_failed', message: 'nope' } }));
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      await rejectsWith(new HttpApiClient({ baseUrl: url, key: 'secret-1' }).decide('v 1', { approvalType: 'qa', decision: 'reject', reason: 'broken build' }), 'refused', /nope/);
      assert.deepEqual(seen, [{ auth: 'Bearer secret-1', type: 'application/json', body: JSON.stringify({ approvalType: 'qa', decision: 'reject', reason: 'broken build' }) }]);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

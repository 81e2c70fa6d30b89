import assert from 'node:assert/strict';
import type { ApiClient } from '../../src/api-client.js';
import { HttpApiClient } from '../../src/api-client.js';
import { GatehouseApiError } from '../../src/errors.js';
import type { Snapshot } from '../../src/model.js';
import { GatehouseModel, isStale, secretKeyFor } from '../../src/model.js';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';
import { MemorySecrets, MemorySetting, SwitchableProxy } from '../support/fakes.js';

describe('vscode-ext: GatehouseModel (against a real server)', () => {
  let demo: DemoServer;
  beforeEach(async () => {
    demo = await startDemoServer();
  });
  afterEach(async () => {
    await demo.close();
  });

  function setup(opts: { serverUrl?: string; wrap?: (c: ApiClient) => ApiClient } = {}) {
    const secrets = new MemorySecrets();
    const setting = new MemorySetting(opts.serverUrl ?? '');
    const clients: string[] = [];
    let t = Date.UTC(2026, 0, 1, 10, 0);
    const model = new GatehouseModel({
      secrets,
      serverUrl: setting,
      createClient: (baseUrl, key) => {
        clients.push(baseUrl);
        const c = new HttpApiClient({ baseUrl, key, timeoutMs: 2000 });
        return opts.wrap ? opts.wrap(c) : c;
      },
      now: () => (t += 60_000),
    });
    const seen: Snapshot[] = [];
    model.onDidChange((s) => seen.push(s));
    return { model, secrets, setting, seen, clients };
  }

  it('sign-in verifies the key with GET /me and only then stores it (per server) and the URL', async () => {
    const { model, secrets, setting, seen } = setup();
    const me = await model.signIn(`${demo.url}/api/v1/`, demo.key('UQUINN'));
    assert.equal(me.user.id, 'UQUINN');
    assert.equal(setting.value, demo.url, 'the setting holds the normalised URL');
    assert.deepEqual([...secrets.values], [[secretKeyFor(demo.url), demo.key('UQUINN')]]);
    const s = model.snapshot;
    assert.equal(s.status, 'ready');
    assert.equal(s.me?.primaryRole, 'QA');
    assert.ok(s.pending?.some((p) => p.version.version === '3.2.0'), 'the pending approvals were loaded');
    assert.ok(seen.length >= 2, 'the views were told');
  });

  it('a refused key is reported and never stored; the previous session stays', async () => {
    const { model, secrets, setting } = setup();
    await model.signIn(demo.url, demo.key('UDEV'));
    const before = model.snapshot;
    await assert.rejects(model.signIn(demo.url, 'not-a-key'), (e) => e instanceof GatehouseApiError && e.kind === 'unauthorized');
    assert.deepEqual([...secrets.values.values()], [demo.key('UDEV')]);
    assert.equal(setting.value, demo.url);
    assert.equal(model.snapshot, before);
    await assert.rejects(model.signIn('localhost:3000', demo.key('UDEV')), (e) => e instanceof GatehouseApiError && e.kind === 'not_configured');
  });

  it('restore() picks up the key stored for the configured server, and only for that server', async () => {
    const first = setup();
    await first.model.signIn(demo.url, demo.key('USEC'));
    // A new window: same secret storage and settings.
    const other = await SwitchableProxy.start(demo.url);
    try {
      const secrets = first.secrets;
      const setting = new MemorySetting(demo.url);
      const model = new GatehouseModel({ secrets, serverUrl: setting, createClient: (baseUrl, key) => new HttpApiClient({ baseUrl, key }) });
      await model.restore();
      assert.equal(model.snapshot.status, 'ready');
      assert.equal(model.snapshot.me?.user.id, 'USEC');
      // The setting now points elsewhere (say, a workspace that wants your key): signed out, nothing sent there.
      setting.value = other.url;
      await model.restore();
      assert.equal(model.snapshot.status, 'signedOut');
      assert.equal(other.connections, 0, 'the key was not sent to the other server');
    } finally {
      await other.close();
    }
  });

  it('keeps the last data, marked stale, while the server is unreachable, and recovers', async () => {
    const proxy = await SwitchableProxy.start(demo.url);
    try {
      const { model } = setup();
      await model.signIn(proxy.url, demo.key('UQUINN'));
      const good = model.snapshot;
      assert.equal(isStale(good), false);
      proxy.down();
      await model.refresh();
      const s = model.snapshot;
      assert.equal(s.error?.kind, 'unreachable');
      assert.equal(isStale(s), true);
      assert.equal(s.status, 'ready');
      assert.equal(s.me, good.me, 'who-am-I is kept');
      assert.equal(s.pending, good.pending, 'the pending list is kept');
      assert.equal(s.updatedAt, good.updatedAt, 'and says how old it is');
      proxy.up();
      await model.refresh();
      assert.equal(model.snapshot.error, null);
      assert.equal(isStale(model.snapshot), false);
      assert.ok(model.snapshot.updatedAt! > good.updatedAt!);
    } finally {
      await proxy.close();
    }
  });

  it('a key revoked on the server turns the data stale with an unauthorized error', async () => {
    const { model } = setup();
    await model.signIn(demo.url, demo.key('UDEV'));
    const keyId = model.snapshot.me!.key.id;
    await demo.account.revokeKey({ userId: 'UADA' }, { keyId });
    await model.refresh();
    assert.equal(model.snapshot.error?.kind, 'unauthorized');
    assert.equal(isStale(model.snapshot), true);
  });

  it('a first load that fails is "failed", not stale', async () => {
    const proxy = await SwitchableProxy.start(demo.url);
    try {
      const { model, secrets } = setup({ serverUrl: proxy.url });
      await secrets.store(secretKeyFor(proxy.url), demo.key('UDEV'));
      proxy.down();
      await model.restore();
      assert.equal(model.snapshot.status, 'failed');
      assert.equal(model.snapshot.error?.kind, 'unreachable');
      assert.equal(isStale(model.snapshot), false);
    } finally {
      await proxy.close();
    }
  });

  it('decide() records the decision on the server and reloads the list', async () => {
    const { model } = setup();
    await model.signIn(demo.url, demo.key('UQUINN'));
    const item = model.snapshot.pending!.find((p) => p.version.version === '1.5.0-rc.1');
    assert.ok(item, 'Checkout 1.5.0-rc.1 waits for QA in staging');
    const out = await model.decide(item.version.id, 'qa', 'approve');
    assert.equal(out.changed, true);
    assert.ok(demo.account.view.versions[item.version.id]?.decisions.some((d) => d.approverId === 'UQUINN' && d.decision === 'approve'));
    assert.equal(model.snapshot.pending!.some((p) => p.version.id === item.version.id), false, 'the tree no longer lists it');
  });

  it('a refused decision throws and changes nothing', async () => {
    const { model } = setup();
    await model.signIn(demo.url, demo.key('UQUINN'));
    const item = model.snapshot.pending![0]!;
    await assert.rejects(model.decide(item.version.id, 'security', 'approve'), (e) => e instanceof GatehouseApiError && e.kind === 'refused' && e.facts.code === 'forbidden');
    await assert.rejects(model.decide(item.version.id, 'qa', 'reject', 'x'), (e) => e instanceof GatehouseApiError && /reason/.test(e.message));
    assert.equal(demo.account.view.versions[item.version.id]?.decisions.some((d) => d.approverId === 'UQUINN' && d.type === 'security'), false);
  });

  it('concurrent refreshes share one round trip', async () => {
    let meCalls = 0;
    const { model } = setup({
      wrap: (c) => ({
        baseUrl: c.baseUrl,
        me: () => {
          meCalls++;
          return c.me();
        },
        can: (p, t) => c.can(p, t),
        pendingApprovals: () => c.pendingApprovals(),
        decide: (v, b) => c.decide(v, b),
      }),
    });
    await model.signIn(demo.url, demo.key('UDEV'));
    meCalls = 0;
    await Promise.all([model.refresh(), model.refresh(), model.refresh()]);
    assert.equal(meCalls, 1);
  });

  it('sign-out forgets the key, and a load finishing late does not bring the data back', async () => {
    const { model, secrets } = setup();
    await model.signIn(demo.url, demo.key('UDEV'));
    const late = model.refresh();
    await model.signOut();
    await late;
    assert.equal(model.snapshot.status, 'signedOut');
    assert.equal(model.snapshot.me, null);
    assert.equal(secrets.values.size, 0);
    assert.equal(model.signedIn, false);
    await model.refresh(); // signed out: nothing to do, no error
    assert.equal(model.snapshot.error, null);
  });
});

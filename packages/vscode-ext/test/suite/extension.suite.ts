import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { MeResponse } from '@gatehouse/core/contract';
import * as vscode from 'vscode';
import type { Outcome } from '../../src/commands/index.js';
import type { GatehouseApi } from '../../src/extension.js';
import type { TreeNode } from '../../src/tree/node.js';
import { DELEGATION_MS, PRODUCTION_POLICY } from '../support/host-fixture.js';
import { metric, note } from './report.js';

/** Set by the driver (test/host/vscode-host.test.ts, scripts/test-electron.mjs), which starts the server. */
function env(name: string): string {
  return process.env[name] ?? assert.fail(`${name} is not set: run this suite through test/host/vscode-host.test.ts or "npm run test:electron"`);
}
const SERVER = env('GATEHOUSE_TEST_SERVER_URL');
const KEY_QA = env('GATEHOUSE_TEST_KEY_QA');
const KEY_ADMIN = env('GATEHOUSE_TEST_KEY_ADMIN');
const KEY_SEC = env('GATEHOUSE_TEST_KEY_SEC');

/** What the tree shows, as "label — description" lines indented by depth (expanded nodes only, like the view). */
function lines(nodes: readonly TreeNode[], depth = 0): string[] {
  return nodes.flatMap((n) => {
    const it = n.item();
    const own = `${'  '.repeat(depth)}${it.label}${it.description ? ` — ${it.description}` : ''}`;
    return [own, ...(it.collapsible === 'expanded' ? lines(n.children(), depth + 1) : [])];
  });
}

function find(nodes: readonly TreeNode[], label: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.item().label === label) return n;
    const inner = find(n.children(), label);
    if (inner) return inner;
  }
  return undefined;
}

/** The server, asked directly with the Admin's key: did the extension's action reach it? */
async function adminGet(path: string): Promise<unknown> {
  const res = await fetch(`${SERVER}/api/v1${path}`, { headers: { authorization: `Bearer ${KEY_ADMIN}` } });
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}

/** Asks the server directly with someone's key (setting up what the extension should then show). */
async function send(key: string, method: 'POST' | 'PATCH', path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${SERVER}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

function changed(provider: GatehouseApi['views']['approvals']): Promise<void> {
  return new Promise((resolve) => {
    const d = provider.onDidChangeTreeData(() => {
      d.dispose();
      resolve();
    });
  });
}

describe('Gatehouse extension inside VS Code', () => {
  let api: GatehouseApi;

  before(async () => {
    await vscode.workspace.getConfiguration('gatehouse').update('serverUrl', undefined, vscode.ConfigurationTarget.Global);
  });

  it('is not active until a view or command needs it; activate() returns quickly and signed out', async () => {
    const ext = vscode.extensions.getExtension<GatehouseApi>('gatehouse.gatehouse-vscode');
    assert.ok(ext, 'the extension under development is loaded');
    assert.equal(ext.extensionPath, resolve(__dirname, '..', '..', '..'), 'the development copy, not an installed one');
    assert.equal(ext.isActive, false, 'no "*" activation: nothing has asked for Gatehouse yet');
    const manifest = ext.packageJSON as { activationEvents: string[] };
    assert.ok(manifest.activationEvents.every((e) => e.startsWith('onView:') || e.startsWith('onCommand:')), manifest.activationEvents.join(', '));
    const t0 = performance.now();
    await vscode.commands.executeCommand('workbench.view.extension.gatehouse');
    api = await ext.activate();
    metric('activateMs', api.activationMs);
    metric('openContainerToActiveMs', performance.now() - t0);
    await api.ready;
    assert.ok(api.activationMs < 200, `activate() took ${api.activationMs} ms`);
    assert.equal(api.model.snapshot.status, 'signedOut');
    assert.deepEqual(api.views.access.getChildren(), [], 'empty tree: the welcome view with "Sign in" shows');
    assert.deepEqual(api.views.approvals.getChildren(), []);
  });

  it('registers every command the manifest contributes, and no other', async () => {
    const ext = vscode.extensions.getExtension<GatehouseApi>('gatehouse.gatehouse-vscode')!;
    const { contributes } = ext.packageJSON as { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> } };
    const contributed = contributes.commands.map((c) => c.command);
    // VS Code adds `<view id>.focus` and the like for each view: those are not the extension's.
    const viewIds = Object.values(contributes.views).flat().map((v) => `${v.id}.`);
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('gatehouse.') && !viewIds.some((v) => c.startsWith(v)));
    assert.deepEqual([...registered].sort(), [...contributed].sort());
  });

  it('signs in with the server URL setting and a key kept in SecretStorage, verified against the server', async () => {
    const t0 = performance.now();
    const out = await vscode.commands.executeCommand<Outcome<MeResponse>>('gatehouse.signIn', { serverUrl: `${SERVER}/`, key: KEY_QA });
    metric('signInMs', performance.now() - t0);
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(out.value.user.id, 'UQUINN');
    const config = vscode.workspace.getConfiguration('gatehouse');
    assert.equal(config.get('serverUrl'), SERVER, 'the URL setting is kept, normalised');
    assert.ok(!JSON.stringify(config).includes(KEY_QA), 'the key is not in settings');
    assert.equal(api.model.snapshot.status, 'ready');
  });

  it('"My access" shows the seeded roles: account → Global and teams → roles → permissions by resource', () => {
    const shown = lines(api.views.access.getChildren());
    note('My access:\n' + shown.join('\n'));
    assert.equal(shown[0], 'Acme SaaS (demo) — Quinn (QA)');
    assert.ok(shown.some((l) => /^ {2}Global — QA · \d+ permissions$/.test(l)), 'Global scope with the QA role');
    assert.ok(shown.includes('    QA — direct'), 'the QA role, granted directly');
    const version = find(api.views.access.getChildren(), 'version');
    assert.ok(version, 'permissions grouped by resource');
    assert.match(version.item().description ?? '', /approve:qa/);
  });

  it('"Pending approvals" shows the seeded versions waiting for QA, grouped by product', () => {
    const shown = lines(api.views.approvals.getChildren());
    note('Pending approvals:\n' + shown.join('\n'));
    assert.deepEqual(
      shown.filter((l) => !l.startsWith('    ')),
      ['Checkout — 1 version waiting', '  1.5.0-rc.1 → staging — 0/1 done · by Dev (Developer, Payments)', 'Search API — 1 version waiting', '  3.2.0 → production — 0/3 done · by Eli (Developer, Search)'],
    );
    assert.ok(shown.includes('    QA — missing 1 of 1 · you can give it'));
    assert.ok(shown.includes('    Security — missing 1 of 1'), 'a type Quinn cannot give is shown, without actions');
  });

  it('an approval given from the tree reaches the server, and the tree updates', async () => {
    const node = find(api.views.approvals.getChildren(), '3.2.0 → production');
    assert.ok(node);
    const qa = node.children().find((c) => c.item().label === 'QA');
    assert.ok(qa);
    assert.equal(qa.item().contextValue, 'requirement.decidable', 'Approve/Reject show on this row');
    const updated = changed(api.views.approvals);
    const t0 = performance.now();
    const out = await vscode.commands.executeCommand<Outcome<unknown>>('gatehouse.approve', qa);
    metric('approveRoundTripMs', performance.now() - t0);
    assert.ok(out.ok, JSON.stringify(out));
    await updated;
    const versionId = (node as unknown as { versionId: string }).versionId;
    const onServer = (await adminGet(`/versions/${versionId}`)) as { version: { decisions: { approverId: string; type: string; decision: string }[] } };
    assert.ok(
      onServer.version.decisions.some((d) => d.approverId === 'UQUINN' && d.type === 'qa' && d.decision === 'approve'),
      'the server recorded Quinn’s QA approval',
    );
    assert.equal(find(api.views.approvals.getChildren(), '3.2.0 → production'), undefined, 'the version left Quinn’s list');
    assert.equal(api.model.snapshot.pending?.length, 1);
  });

  it('a rejection carries its reason to the server', async () => {
    const node = find(api.views.approvals.getChildren(), '1.5.0-rc.1 → staging');
    assert.ok(node);
    const out = await vscode.commands.executeCommand<Outcome<unknown>>('gatehouse.reject', node, { reason: 'login fails on Safari' });
    assert.ok(out.ok, JSON.stringify(out));
    const versionId = (node as unknown as { versionId: string }).versionId;
    const onServer = (await adminGet(`/versions/${versionId}`)) as { version: { decisions: { approverId: string; decision: string; reason: string | null }[] } };
    assert.ok(onServer.version.decisions.some((d) => d.approverId === 'UQUINN' && d.decision === 'reject' && d.reason === 'login fails on Safari'));
  });

  it('"Can I …?" answers from the server, with the reason on deny', async () => {
    type Can = Outcome<{ response: { allowed: boolean }; message: string }>;
    const yes = await vscode.commands.executeCommand<Can>('gatehouse.canI', { permission: 'version:approve:qa', teamId: null });
    assert.ok(yes.ok && yes.value.response.allowed, JSON.stringify(yes));
    const no = await vscode.commands.executeCommand<Can>('gatehouse.canI', { permission: 'gate:override', teamId: 'payments' });
    assert.ok(no.ok, JSON.stringify(no));
    assert.equal(no.value.response.allowed, false);
    assert.match(no.value.message, /^No: none of your roles grants gate:override in team Payments; roles that do: Admin, /, 'said once, team and roles by name');
  });

  it('auto-refresh picks up a new version waiting for QA without a manual refresh', async () => {
    const config = vscode.workspace.getConfiguration('gatehouse');
    await config.update('autoRefreshSeconds', 5, vscode.ConfigurationTarget.Global);
    try {
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${SERVER}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const text = await res.text();
        assert.ok(res.ok, `POST ${path}: ${res.status} ${text}`);
        return JSON.parse(text) as { version: { id: string } };
      };
      const created = await post('/versions', { productId: 'checkout', version: '1.6.0' });
      await post(`/versions/${created.version.id}/approval-requests`, { environmentId: 'staging' });
      const t0 = performance.now();
      while (!api.model.snapshot.pending?.some((p) => p.version.version === '1.6.0')) {
        assert.ok(performance.now() - t0 < 9000, 'the new version showed within one auto-refresh interval');
        await new Promise((r) => setTimeout(r, 100));
      }
      metric('autoRefreshSeenAfterMs', performance.now() - t0);
      assert.ok(find(api.views.approvals.getChildren(), '1.6.0 → staging'));
    } finally {
      await config.update('autoRefreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('follow-up and delegation: an overdue version with its time-out, given on behalf of Sec; the delegation in My access', async () => {
    // The Admin puts reminders (1 h) and a time-out (8 h) on production; the demo was seeded 3 h ago.
    const rules = (await adminGet('/rules')) as { items: { id: string; environmentId: string; productId: string | null }[] };
    const production = rules.items.find((r) => r.environmentId === 'production' && r.productId === null);
    assert.ok(production, 'the demo has a rule for production');
    await send(KEY_ADMIN, 'PATCH', `/rules/${production.id}`, { policy: PRODUCTION_POLICY });
    // Sec names Quinn as stand-in for Security: Quinn may now give Security on Sec's behalf.
    await send(KEY_SEC, 'POST', '/delegations', { delegateId: 'UQUINN', types: ['security'], until: Date.now() + DELEGATION_MS });
    const out = await vscode.commands.executeCommand<Outcome<void>>('gatehouse.refresh');
    assert.ok(out.ok, JSON.stringify(out));

    const pending = lines(api.views.approvals.getChildren());
    note('Pending approvals, with follow-up and delegation:\n' + pending.join('\n'));
    assert.ok(pending.includes('Search API — 1 version waiting · 1 overdue'), 'the product counts its overdue versions');
    assert.ok(
      pending.includes('  3.2.0 → production — overdue · waiting 3 h · times out in 5 h · on behalf of Sec (Security) · 1/3 done · by Eli (Developer, Search)'),
      'overdue, its time-out, and whose approval Quinn gives: by name',
    );
    const v320 = find(api.views.approvals.getChildren(), '3.2.0 → production');
    assert.ok(v320);
    const item = api.views.approvals.getTreeItem(v320);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'warning', 'the overdue icon');
    assert.equal(typeof item.tooltip, 'string');
    assert.match(item.tooltip as string, /^Times out \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 5 h\)$/m);
    const security = v320.children().find((c) => c.item().label === 'Security');
    assert.equal(security?.item().contextValue, 'requirement.decidable', 'Approve/Reject on the delegated type');

    const access = lines(api.views.access.getChildren());
    const at = access.indexOf('Delegations — 1 received');
    note('My access, delegations:\n' + access.slice(at).join('\n'));
    assert.ok(at > 0, 'the delegations follow the account');
    assert.equal(access.length, at + 2);
    assert.match(access[at + 1]!, /^ {2}Sec \(Security\) → you — Security until \d{1,2} [A-Z][a-z]{2}( \d{4})?$/);
  });

  it('the status bar item focuses a view that exists', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('gatehouse.approvals.focus') && commands.includes('gatehouse.access.focus'));
    await vscode.commands.executeCommand('gatehouse.approvals.focus');
  });

  it('a bad key is refused with the server’s message, and the current session stays', async () => {
    const out = await vscode.commands.executeCommand<Outcome<MeResponse>>('gatehouse.signIn', { serverUrl: SERVER, key: 'not-a-gatehouse-key' });
    assert.equal(out.ok, false);
    assert.ok(!out.ok && !out.cancelled);
    assert.equal(out.kind, 'unauthorized');
    note('bad key →', out.message);
    assert.equal(api.model.snapshot.me?.user.id, 'UQUINN');
  });

  it('a key revoked on the server: the views keep the last data, marked stale', async () => {
    const me = api.model.snapshot.me!;
    const res = await fetch(`${SERVER}/api/v1/keys/${me.key.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY_ADMIN}` } });
    assert.equal(res.status, 204);
    const out = await vscode.commands.executeCommand<Outcome<void>>('gatehouse.refresh');
    assert.ok(!out.ok && !out.cancelled && out.kind === 'unauthorized', JSON.stringify(out));
    const s = api.model.snapshot;
    assert.equal(s.error?.kind, 'unauthorized');
    assert.equal(s.me, me, 'the last data stays');
    assert.equal(lines(api.views.access.getChildren())[0], 'Acme SaaS (demo) — Quinn (QA)');
  });

  it('sign out forgets the key and empties the views', async () => {
    await vscode.commands.executeCommand('gatehouse.signOut');
    assert.equal(api.model.snapshot.status, 'signedOut');
    assert.deepEqual(api.views.access.getChildren(), []);
  });
});

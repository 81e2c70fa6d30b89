import assert from 'node:assert/strict';
import type { MeResponse } from '@gatehouse/core/contract';
import { HttpApiClient } from '../../src/api-client.js';
import { formatDay } from '../../src/format.js';
import { AccountNode, DelegationNode, DelegationsNode, ResourceNode, RoleNode, ScopeNode, accessRoots, describeDelegation, describeGrant, groupByResource } from '../../src/tree/access-tree.js';
import type { TreeNode } from '../../src/tree/node.js';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';

const DAY = 86_400_000;

/** label — description, indented by depth: what the tree shows, as text. */
function render(nodes: readonly TreeNode[], depth = 0, expandAll = false): string[] {
  return nodes.flatMap((n) => {
    const it = n.item();
    const line = `${'  '.repeat(depth)}${it.label}${it.description ? ` — ${it.description}` : ''}`;
    return [line, ...(it.collapsible === 'expanded' || (expandAll && it.collapsible === 'collapsed') ? render(n.children(), depth + 1, expandAll) : [])];
  });
}

describe('vscode-ext: "My access" tree', () => {
  let demo: DemoServer;
  let dana: MeResponse;
  let now: number;
  before(async () => {
    demo = await startDemoServer();
    // Dana: Developer in Payments directly, SRE in Payments through the on-call group, and QA in Search for 3 days.
    await demo.account.assignRole({ userId: 'UADA' }, { subject: { type: 'user', id: 'UDANA' }, roleId: 'qa', teamId: 'search', durationMs: 3 * DAY });
    dana = await new HttpApiClient({ baseUrl: demo.url, key: await demo.tokenFor('UDANA') }).me();
    now = Date.now();
  });
  after(async () => {
    await demo.close();
  });

  it('account → Global and each team → roles (direct, via group, with expiry) → permissions by resource', () => {
    const [root, ...more] = accessRoots(dana, now);
    assert.equal(more.length, 0);
    assert.ok(root instanceof AccountNode);
    const lines = render([root]);
    assert.equal(lines[0], 'Acme SaaS (demo) — Dana (Developer, Payments)');
    const scopes = root.children();
    assert.deepEqual(
      scopes.map((s) => s.item().label),
      ['Global', 'General', 'Payments', 'Search'],
    );
    const byName = (name: string) => scopes.find((s) => s.item().label === name)!;
    assert.deepEqual(
      byName('General').children().map((r) => `${r.item().label}: ${r.item().description}`).slice(0, 1),
      ['Viewer: direct'],
      'newcomers get the default role in the default team',
    );
    const payments = byName('Payments');
    const roles = payments.children().filter((c) => c instanceof RoleNode);
    assert.deepEqual(
      roles.map((r) => `${r.item().label}: ${r.item().description}`),
      ['Developer: direct', 'SRE: via group On-call'],
      'the group by name',
    );
    assert.equal(roles[1]!.item().tooltip, 'Role SRE\nGranted to the group On-call, which you belong to', 'an id that only repeats the name is left out');
    assert.equal(payments.item().tooltip, 'Team Payments');
    const search = byName('Search').children().filter((c) => c instanceof RoleNode);
    assert.deepEqual(search.map((r) => r.item().description), ['direct · expires in 3 days']);
    assert.equal(search[0]!.item().icon, 'watch');
    assert.match(search[0]!.item().tooltip ?? '', /Expires 20\d\d-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it('groups the effective permissions of a scope by resource, in the server’s order', () => {
    const payments = dana.scopes.find((s) => s.teamId === 'payments')!;
    const node = new ScopeNode('TDEMO', payments, now);
    const resources = node.children().filter((c): c is ResourceNode => c instanceof ResourceNode);
    assert.deepEqual(
      resources.flatMap((r) => r.permissions),
      payments.permissions,
      'every permission once, none lost',
    );
    const version = resources.find((r) => r.resource === 'version');
    assert.ok(version);
    assert.match(version.item().description ?? '', /^view, create/);
    assert.equal(version.item().collapsible, 'collapsed');
    assert.deepEqual(
      version.children().map((c) => c.item().label),
      version.permissions,
    );
    assert.match(node.item().description ?? '', /^Developer, SRE · \d+ permissions$/);
  });

  it('says so when a scope has no role', () => {
    const global = new ScopeNode('TDEMO', dana.scopes[0]!, now);
    assert.equal(global.item().label, 'Global');
    assert.equal(global.children()[0]!.item().label, 'No global role');
  });

  it('ids are unique and stable across rebuilds (expansion survives a refresh)', () => {
    const ids = (nodes: readonly TreeNode[]): string[] => nodes.flatMap((n) => [n.item().id, ...ids(n.children())]);
    const a = ids(accessRoots(dana, now));
    assert.equal(new Set(a).size, a.length);
    assert.deepEqual(ids(accessRoots(dana, now + 1000)), a);
  });

  it('describeGrant and groupByResource on their own', () => {
    const g = { roleId: 'sre', roleName: 'SRE', teamId: 'payments', expiresAt: null, via: null };
    assert.equal(describeGrant(g, 0), 'direct');
    assert.equal(describeGrant({ ...g, via: 'oncall', viaName: 'On-call', expiresAt: 90 * 60_000 }, 0), 'via group On-call · expires in 2 h');
    assert.equal(describeGrant({ ...g, via: 'oncall' }, 0), 'via group oncall', 'an older server sends no group name: the id');
    const custom = new RoleNode('x', { ...g, roleId: 'rel-mgr', roleName: 'Release captain' }, 0);
    assert.match(custom.item().tooltip ?? '', /^Role Release captain \(rel-mgr\)$/m, 'an id that adds something is kept');
    assert.equal(describeGrant({ ...g, expiresAt: 10 }, 20), 'direct · expired');
    assert.deepEqual(groupByResource(['version:view', 'version:approve:qa', 'release:view']), [
      { resource: 'version', permissions: ['version:view', 'version:approve:qa'] },
      { resource: 'release', permissions: ['release:view'] },
    ]);
  });

  describe('delegations', () => {
    const NOW = Date.UTC(2026, 11, 1, 9, 0);
    const sec = { id: 'USEC', name: 'Sec (Security)' };
    const quinn = { id: 'UQUINN', name: 'Quinn (QA)' };

    it('given and received, from the server: "You → Quinn" and "Sec → you", after the account', async () => {
      const until = Date.now() + 10 * DAY;
      await demo.account.delegate({ userId: 'USEC' }, { delegateId: 'UQUINN', types: ['security'], until });
      const asSec = await new HttpApiClient({ baseUrl: demo.url, key: demo.key('USEC') }).me();
      const asQuinn = await new HttpApiClient({ baseUrl: demo.url, key: demo.key('UQUINN') }).me();
      const day = formatDay(until, Date.now());
      const secRoots = accessRoots(asSec, Date.now());
      assert.ok(secRoots[0] instanceof AccountNode, 'the account stays first');
      assert.ok(secRoots[1] instanceof DelegationsNode);
      assert.deepEqual(render(secRoots.slice(1)), ['Delegations — 1 given', `  You → Quinn (QA) — Security until ${day}`]);
      assert.deepEqual(render(accessRoots(asQuinn, Date.now()).slice(1)), ['Delegations — 1 received', `  Sec (Security) → you — Security until ${day}`]);
    });

    it('null types are every approval; the year shows when it is not this year; ids never show', () => {
      const d = { id: 'dlg1', delegator: sec, delegate: quinn, types: null, from: NOW - DAY, until: Date.UTC(2026, 11, 12, 17, 0) };
      const given = describeDelegation(d, 'USEC', NOW);
      assert.deepEqual([given.label, given.description], ['You → Quinn (QA)', 'all your approvals until 12 Dec']);
      assert.equal(given.tooltip, 'Quinn (QA) may give every approval you give on your behalf\nFrom 2026-11-30 09:00 UTC until 2026-12-12 17:00 UTC');
      const received = describeDelegation({ ...d, types: ['security', 'qa'], until: Date.UTC(2027, 0, 5) }, 'UQUINN', NOW);
      assert.deepEqual([received.label, received.description], ['Sec (Security) → you', 'Security, QA until 5 Jan 2027']);
      assert.match(received.tooltip, /^You may give the Security, QA approvals of Sec \(Security\) on their behalf$/m);
      for (const t of [given, received]) assert.doesNotMatch(`${t.label} ${t.description} ${t.tooltip}`, /USEC|UQUINN/);
      assert.equal(describeDelegation({ ...d, from: NOW + DAY }, 'USEC', NOW).description, 'all your approvals from 2 Dec until 12 Dec');
      assert.equal(describeDelegation(d, 'USEC', d.until).description, 'all your approvals ended', 'a stale snapshot past the end');
      const node = new DelegationNode(d, 'UQUINN', NOW);
      assert.equal(node.item().icon, 'arrow-small-left');
      assert.equal(node.item().contextValue, 'delegation.received');
    });

    it('no delegations (or an older server without the field): only the account', () => {
      assert.equal(accessRoots({ ...dana, delegations: [] }, now).length, 1);
      const { delegations: _d, ...old } = dana;
      assert.equal(accessRoots(old, now).length, 1);
    });
  });
});

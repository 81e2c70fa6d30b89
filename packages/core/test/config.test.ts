import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, Actor, ConfigDocInput } from '../src/index.js';
import { ConfigFileError, ConfigReferenceError, FakeClock, Gatehouse, SequentialIds, configJsonSchema, configToYaml, parseConfigYaml } from '../src/index.js';
import { ADMIN, refused, setup } from './helpers.js';

const admin: Actor = { userId: ADMIN };
const yamlOf = (a: Account) => configToYaml(a.exportConfig(admin));

/** An account with one of everything configuration covers, built through the ordinary commands. */
async function richWorld() {
  const w = await setup({ users: { UQA: 'qa', UQB: null, UDEV: 'developer', UGONE: null } });
  const { account, clock } = w;
  await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
  await account.updateSettings(admin, {
    defaultChannel: 'C0APPROVALS',
    maxAccessDurationMs: 48 * 3_600_000,
    approvalPolicy: { remindAfterMs: 4 * 3_600_000, remindEveryMs: 86_400_000, workingHours: { timeZone: 'Europe/Berlin', from: 9, to: 17, days: [1, 2, 3, 4, 5] } },
    accessRequestTtlMs: 3 * 86_400_000,
  });
  await account.addUser(admin, { userId: 'svc-ci', name: 'CI robot', serviceAccount: true });
  await account.createGroup(admin, { groupId: 'oncall', name: 'On call', members: ['UQB', 'UDEV'] });
  await account.assignRole(admin, { subject: { type: 'group', id: 'oncall' }, roleId: 'sre', teamId: 'payments' });
  await account.createRole(admin, { roleId: 'deployer', name: 'Deployer', scope: 'team', permissions: ['deployment:create'] });
  await account.assignRole(admin, { subject: { type: 'user', id: 'svc-ci' }, roleId: 'deployer', teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UQB' }, roleId: 'security', durationMs: 30 * 86_400_000 });
  await account.createProduct(admin, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: 'C0PAY' });
  await account.createEnvironment(admin, { environmentId: 'production', name: 'Production', production: true });
  await account.createEnvironment(admin, { environmentId: 'checkout-canary', name: 'Canary', productId: 'checkout', channel: 'C0CANARY' });
  await account.createRule(admin, {
    environmentId: 'production',
    requirements: [{ type: 'qa', quorum: 2 }, { type: 'security', quorum: 1 }],
    requireReleaseApproval: true,
    policy: { escalateAfterMs: 86_400_000, escalateTo: { type: 'group', id: 'oncall' }, timeoutAfterMs: 3 * 86_400_000, timeoutOutcome: 'reject', allowDelegation: false },
  });
  await account.createRule(admin, { environmentId: 'checkout-canary', productId: 'checkout', requirements: [{ type: 'qa', quorum: 1 }], separationOfDuties: false });
  await account.deactivateUser(admin, { userId: 'UGONE' });
  return { ...w, clock };
}

async function freshAccount(clock: FakeClock) {
  const gh = await Gatehouse.open({ url: 'memory', clock, ids: new SequentialIds() });
  const account = await gh.createAccount('T2', { name: 'Fresh', admins: [{ userId: ADMIN }] });
  return account;
}

describe('configuration as code', () => {
  it('export → apply on a fresh account → export gives the same bytes; exporting twice too', async () => {
    const { account, clock } = await richWorld();
    const first = yamlOf(account);
    assert.equal(yamlOf(account), first, 'two exports differ');
    const fresh = await freshAccount(clock);
    const plan = await fresh.applyConfig(admin, parseConfigYaml(first).doc);
    assert.deepEqual(plan.refusals, []);
    assert.ok(plan.changes.length > 15, `expected many changes, got ${plan.changes.length}`);
    assert.equal(yamlOf(fresh), first);
  });

  it('a plan of the unchanged file is empty and writes nothing', async () => {
    const { account } = await richWorld();
    const seq = account.seq;
    const plan = account.planConfig(admin, parseConfigYaml(yamlOf(account)).doc);
    assert.deepEqual(plan, { changes: [], refusals: [], kept: [] });
    assert.equal(account.seq, seq);
  });

  it('a plan lists creations, changes (old → new) and removals, and changes nothing', async () => {
    const { account } = await richWorld();
    const doc = account.exportConfig(admin);
    const seq = account.seq;
    const edited: ConfigDocInput = {
      ...doc,
      teams: { ...doc.teams, payments: { name: 'Payments & Billing' }, search: { name: 'Search' } },
      rules: (doc.rules ?? []).filter((r) => r.environment !== 'checkout-canary'),
    };
    const plan = account.planConfig(admin, edited, true);
    const lines = plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}${c.fields.map((f) => ` ${f.field}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`).join('')}`);
    assert.ok(lines.includes('+ team search'), lines.join('\n'));
    assert.ok(lines.includes('~ team payments name: "Payments" → "Payments & Billing"'), lines.join('\n'));
    assert.ok(lines.includes('- rule checkout-canary for checkout'), lines.join('\n'));
    assert.equal(account.seq, seq);
  });

  it('a file that would remove the last Admin is refused whole: nothing written, the entry and its line named', async () => {
    const { account } = await richWorld();
    await account.addUser(admin, { userId: 'UPEOPLE', name: 'People' });
    await account.createRole(admin, { roleId: 'people', name: 'People', scope: 'global', permissions: ['user_role:manage'] });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UPEOPLE' }, roleId: 'people' });
    const text = yamlOf(account).replace('  UADMIN:\n    name: Ada Admin\n', '  UADMIN:\n    name: Ada Admin\n    active: false\n') + 'x: 1\n';
    assert.throws(() => parseConfigYaml(text, 'team.yaml'), (e: unknown) => e instanceof ConfigFileError && /team\.yaml:\d+:\d+: x: Unrecognized key: "x"/.test(e.message));
    const parsed = parseConfigYaml(text.replace(/x: 1\n$/, ''), 'team.yaml');
    const seq = account.seq;
    const err = await refused(account.applyConfig({ userId: 'UPEOPLE' }, parsed.doc), 'last_admin');
    assert.equal(account.seq, seq, 'something was written');
    const plan = account.planConfig({ userId: 'UPEOPLE' }, parsed.doc);
    const r = plan.refusals.find((x) => x.code === 'last_admin');
    assert.ok(r, JSON.stringify(plan.refusals));
    assert.deepEqual(r.change.path, ['users', 'UADMIN']);
    assert.equal(parsed.locate(r.change.path)?.line, text.split('\n').indexOf('  UADMIN:') + 1);
    assert.match(err.message, /user UADMIN/);
  });

  it('granting above the actor is refused (escalation) and an unknown reference names the closest existing one', async () => {
    const { account } = await richWorld();
    await account.addUser(admin, { userId: 'UPEOPLE', name: 'People' });
    await account.createRole(admin, { roleId: 'people', name: 'People', scope: 'global', permissions: ['user_role:manage'] });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UPEOPLE' }, roleId: 'people' });
    const doc = account.exportConfig(admin);
    const above = { ...doc, grants: [...(doc.grants ?? []), { user: 'UQB', role: 'admin' }] };
    const seq = account.seq;
    await refused(account.applyConfig({ userId: 'UPEOPLE' }, above), 'escalation');
    assert.equal(account.seq, seq);
    const typo = { ...doc, grants: [...(doc.grants ?? []), { user: 'UQB', role: 'secruity', team: 'paymnts' }] };
    assert.throws(
      () => account.planConfig(admin, typo),
      (e: unknown) => e instanceof ConfigReferenceError && /unknown role 'secruity' \(did you mean 'security'\?\)/.test(e.message) && /unknown team 'paymnts' \(did you mean 'payments'\?\)/.test(e.message),
    );
  });

  it('prune revokes, deletes and deactivates what the file leaves out — never the last Admin, teams, products or environments', async () => {
    const { account } = await richWorld();
    const doc = account.exportConfig(admin);
    const pruned: ConfigDocInput = { ...doc, groups: {}, roles: {}, grants: (doc.grants ?? []).filter((g) => g.role !== 'deployer' && g.group !== 'oncall'), teams: {}, products: {} };
    const plan = await account.applyConfig(admin, pruned, true);
    assert.deepEqual(plan.refusals, []);
    assert.equal(account.view.groups['oncall'], undefined);
    assert.equal(account.view.roles['deployer'], undefined);
    assert.deepEqual(
      plan.kept.map((k) => `${k.kind} ${k.key}`),
      ['team general', 'team payments', 'product checkout'],
    );
    assert.ok(account.view.teams['payments'] && account.view.products['checkout']);
    // The acting Admin cannot prune their own Admin grant (self_change); a people manager keeping
    // themselves in the file cannot prune the last Admin's (last_admin).
    await refused(account.applyConfig(admin, { ...account.exportConfig(admin), grants: [] }, true), 'self_change');
    await account.addUser(admin, { userId: 'UPEOPLE', name: 'People' });
    await account.createRole(admin, { roleId: 'people', name: 'People', scope: 'global', permissions: ['user_role:manage'] });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UPEOPLE' }, roleId: 'people' });
    const current = account.exportConfig(admin);
    const seq = account.seq;
    await refused(account.applyConfig({ userId: 'UPEOPLE' }, { ...current, grants: (current.grants ?? []).filter((g) => g.role !== 'admin') }, true), 'last_admin');
    assert.equal(account.seq, seq);
  });

  it('a change committed by someone else between reading and committing is seen: the apply is decided again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-config-'));
    const url = `sqlite://${join(dir, 'race.sqlite')}`;
    const clock = new FakeClock();
    try {
      const a = await Gatehouse.open({ url, clock, watchMs: null });
      const b = await Gatehouse.open({ url, clock, watchMs: null });
      const accountA = await a.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN }] });
      const accountB = await b.account('T1');
      await accountB.refresh();
      const doc = { ...accountA.exportConfig(admin), teams: { general: { name: 'General' }, payments: { name: 'Payments' } } };
      assert.deepEqual(accountA.planConfig(admin, doc).changes.map((c) => `${c.op} ${c.key}`), ['+ payments']);
      await accountB.createTeam(admin, { teamId: 'payments', name: 'Pay' });
      const applied = await accountA.applyConfig(admin, doc);
      assert.deepEqual(applied.changes.map((c) => `${c.op} ${c.key}`), ['~ payments']);
      assert.equal(accountA.view.teams['payments']?.name, 'Payments');
      await a.close();
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the committed JSON Schema is the one the zod schema generates', () => {
    const committed = readFileSync(new URL('../../schema/config.schema.json', import.meta.url), 'utf8');
    assert.equal(committed, `${JSON.stringify(configJsonSchema(), null, 2)}\n`, 'schema/config.schema.json is stale: run npm run -w @gatehouse/core config-schema');
  });
});

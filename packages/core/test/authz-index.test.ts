import assert from 'node:assert/strict';
import type { Account } from '../src/index.js';
import { AuthzIndex, PERMISSIONS, STATIC_ROLE_IDS } from '../src/index.js';
import { setup } from './helpers.js';

/** Every answer of the account's index (kept up to date change by change) against one compiled afresh. */
function compareWithFresh(account: Account, users: readonly string[], teams: readonly (string | null)[]): number {
  const fresh = new AuthzIndex(account.view, () => 0);
  let checked = 0;
  for (const u of users) {
    for (const t of teams) {
      for (const p of PERMISSIONS) {
        assert.equal(account.can(u, p, t), fresh.can(u, p, t), `${u} ${p} in ${t ?? '(global)'}`);
        checked++;
      }
      assert.deepEqual(account.permissions(u, t), fresh.permissionsIn(u, t));
    }
    assert.deepEqual(account.teamsOf(u).sort(), fresh.teamsOf(u).sort());
  }
  return checked;
}

describe('the packed permission index', () => {
  it('records that grow, shrink and move (and the pool compacting under them) answer like a fresh compile', async () => {
    const { account, admin } = await setup();
    const users = ['UA', 'UB', 'UC', 'UD'];
    const teams = Array.from({ length: 12 }, (_, i) => `team-${String(i)}`);
    for (const u of users) await account.ensureUser({ userId: u });
    for (const t of teams) await account.createTeam(admin, { teamId: t, name: t });
    const teamRoles = STATIC_ROLE_IDS.filter((r) => r !== 'admin' && r !== 'billing');
    // A seeded walk: grant a role in a team (a record grows a scope), revoke (it may shrink), repeat.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const held = new Set<string>();
    let changes = 0;
    for (let step = 0; step < 300; step++) {
      const u = users[next(users.length)]!;
      const t = teams[next(teams.length)]!;
      const r = teamRoles[next(teamRoles.length)]!;
      const key = `${u}|${t}|${r}`;
      if (held.has(key)) {
        await account.revokeRole(admin, { subject: { type: 'user', id: u }, roleId: r, teamId: t });
        held.delete(key);
      } else {
        await account.assignRole(admin, { subject: { type: 'user', id: u }, roleId: r, teamId: t });
        held.add(key);
      }
      changes++;
      if (step % 50 === 49) compareWithFresh(account, [...users, 'UADMIN', 'nobody'], [null, ...teams]);
    }
    const checked = compareWithFresh(account, [...users, 'UADMIN', 'nobody'], [null, ...teams]);
    assert.ok(checked > 0 && changes === 300);
    // Not vacuous: users ended up with team scopes, and some answers differ between teams.
    assert.ok(users.some((u) => account.teamsOf(u).length >= 3), 'records with several team scopes');
  });

  it('a deactivated user has no record; reactivated, the record is back', async () => {
    const { account, admin } = await setup({ users: { UDEV: 'developer' } });
    assert.equal(account.can('UDEV', 'version:create', 'general'), true);
    await account.deactivateUser(admin, { userId: 'UDEV' });
    assert.equal(account.can('UDEV', 'version:create', 'general'), false);
    assert.deepEqual(account.permissions('UDEV', null), []);
    await account.reactivateUser(admin, { userId: 'UDEV' });
    assert.equal(account.can('UDEV', 'version:create', 'general'), true);
    compareWithFresh(account, ['UDEV', 'UADMIN'], [null, 'general']);
  });
});

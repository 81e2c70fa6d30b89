import assert from 'node:assert/strict';
import type { Enforcer } from 'casbin';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import type { Account, Permission, RoleScope } from '../src/index.js';
import { AuthzIndex, PERMISSIONS, STATIC_ROLE_IDS, STATIC_ROLES, closePermissions } from '../src/index.js';
import { CASBIN_GLOBAL_DOMAIN as GLOBAL, Rng, casbinModel } from '../src/testing/index.js';
import { ADMIN, refused, setup } from './helpers.js';

/*
 * Differential test: random accounts built through the Account API, checked cell by cell against
 * casbin's RBAC-with-domains evaluator fed the same facts. A team is a casbin domain; a global
 * grant lives in domain "*", which the matcher accepts in every team. Roles are domain-free: one
 * policy line per role, and g2 links a role to each permission it allows (one p-line per role
 * instead of per role × permission keeps casbin's linear policy scan short). Group grants, expiry
 * and deactivation are resolved here into plain g-lines, so casbin sees only "user holds role in
 * domain".
 */
const MODEL = casbinModel('global');

/**
 * k distinct items, drawn by splicing the pool rather than by Rng.sample's swap-and-pop: the draw
 * this test has always made, so that each seed keeps building the world it has been checked on.
 */
function sampleBySplice<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < k && pool.length > 0) out.push(...pool.splice(rng.int(0, pool.length - 1), 1));
  return out;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Subject {
  readonly type: 'user' | 'group';
  readonly id: string;
}
/** A grant as the oracle knows it. */
interface OracleGrant {
  readonly subject: Subject;
  readonly roleId: string;
  readonly teamId: string | null;
  readonly expiresAt: number | null;
}

/** Everything the oracle needs, recorded while the account is built. */
interface World {
  readonly seed: number;
  readonly account: Account;
  readonly advance: (ms: number) => void;
  readonly now: () => number;
  readonly teams: readonly string[];
  readonly users: readonly string[];
  readonly inactive: ReadonlySet<string>;
  readonly groups: ReadonlyMap<string, ReadonlySet<string>>;
  /** Role id → permissions as given to createRole (custom) or the static definition. */
  readonly roles: ReadonlyMap<string, readonly Permission[]>;
  /** Keyed by subject, role and scope: assigning the same role in the same scope again replaces the grant (a duration only extends it). */
  readonly grants: ReadonlyMap<string, OracleGrant>;
  readonly scopeRefusals: number;
}

const grantKey = (g: Pick<OracleGrant, 'subject' | 'roleId' | 'teamId'>): string => `${g.subject.type}:${g.subject.id}|${g.roleId}|${g.teamId ?? GLOBAL}`;

/** Builds a small random account through the Account API, as the Admin, recording what it did. */
async function buildWorld(seed: number): Promise<World> {
  const rng = new Rng(seed);
  const { account, admin, clock } = await setup();
  const teams = ['general'];
  for (let i = rng.int(3, 6) - 1; i > 0; i--) {
    const { teamId } = await account.createTeam(admin, { teamId: `team-${String(teams.length)}`, name: `Team ${String(teams.length)}` });
    teams.push(teamId);
  }
  const users: string[] = [];
  const grants = new Map<string, OracleGrant>();
  const put = (g: OracleGrant): void => {
    grants.set(grantKey(g), g);
  };
  // setup() bootstraps the account with one global Admin.
  put({ subject: { type: 'user', id: ADMIN }, roleId: 'admin', teamId: null, expiresAt: null });
  for (let i = rng.int(5, 15); i > 0; i--) {
    const userId = `u${String(users.length)}`;
    await account.ensureUser({ userId, name: userId });
    users.push(userId);
    // Newcomers land in the default team with the default role.
    put({ subject: { type: 'user', id: userId }, roleId: 'viewer', teamId: 'general', expiresAt: null });
  }

  // Static definitions are pinned cell by cell against SPEC §2 by permission-table.test.ts.
  const roles = new Map<string, readonly Permission[]>(STATIC_ROLE_IDS.map((id) => [id, STATIC_ROLES[id].permissions]));
  const custom: { id: string; scope: RoleScope }[] = [];
  for (let i = rng.int(2, 4); i > 0; i--) {
    const scope: RoleScope = rng.chance(0.5) ? 'team' : 'global';
    const permissions = sampleBySplice(rng, PERMISSIONS, rng.int(3, 10));
    const role = await account.createRole(admin, { name: `Custom ${String(custom.length)}`, scope, permissions });
    roles.set(role.id, permissions);
    custom.push({ id: role.id, scope });
  }

  const groups = new Map<string, Set<string>>();
  for (let i = rng.int(1, 3); i > 0; i--) {
    const groupId = `grp-${String(groups.size)}`;
    const members = sampleBySplice(rng, users, rng.int(0, 4));
    await account.createGroup(admin, { groupId, name: groupId, members });
    groups.set(groupId, new Set(members));
  }

  let scopeRefusals = 0;
  for (let i = rng.int(users.length, 2 * users.length + 5); i > 0; i--) {
    const subject: Subject = rng.chance(0.25) ? { type: 'group', id: rng.pick([...groups.keys()]) } : { type: 'user', id: rng.pick(users) };
    let roleId: string;
    let teamId: string | null;
    if (rng.chance(0.6)) {
      roleId = rng.pick(STATIC_ROLE_IDS);
      teamId = rng.chance(0.3) ? null : rng.pick(teams);
    } else {
      const role = rng.pick(custom);
      roleId = role.id;
      teamId = role.scope === 'global' ? null : rng.pick(teams);
      if (rng.chance(0.1)) {
        // The core must refuse a custom role outside its scope; the oracle then holds nothing new.
        const wrong = role.scope === 'global' ? rng.pick(teams) : null;
        await refused(account.assignRole(admin, { subject, roleId, teamId: wrong }), 'role_scope');
        scopeRefusals++;
        continue;
      }
    }
    const durationMs = rng.chance(0.3) ? rng.pick([HOUR, 3 * HOUR]) : undefined;
    await account.assignRole(admin, durationMs === undefined ? { subject, roleId, teamId } : { subject, roleId, teamId, durationMs });
    // Without a duration the grant becomes permanent; a duration only ever extends the grant held, by a minute or more.
    const expiresAt = durationMs === undefined ? null : clock.now() + durationMs;
    const held = grants.get(grantKey({ subject, roleId, teamId }))?.expiresAt;
    if (expiresAt === null || held === undefined || (held !== null && expiresAt - held >= MINUTE)) put({ subject, roleId, teamId, expiresAt });
  }

  // Joining a group after its grants were made.
  for (let i = rng.int(0, 3); i > 0; i--) {
    const groupId = rng.pick([...groups.keys()]);
    const userId = rng.pick(users);
    await account.addGroupMember(admin, { groupId, userId });
    groups.get(groupId)?.add(userId);
  }

  const inactive = new Set<string>();
  for (let i = rng.int(0, 2); i > 0; i--) {
    const userId = rng.pick(users);
    await account.deactivateUser(admin, { userId });
    inactive.add(userId);
  }

  return {
    seed,
    account,
    advance: (ms) => {
      clock.advance(ms);
    },
    now: () => clock.now(),
    teams,
    users,
    inactive,
    groups,
    roles,
    grants,
    scopeRefusals,
  };
}

/** The casbin policy for the world at its current time: only grants in force, only active users. */
function policyOf(w: World): string {
  const lines: string[] = [];
  for (const [roleId, perms] of w.roles) {
    lines.push(`p, r:${roleId}`);
    // Implication (any action implies the resource's view) is part of the model: close each role.
    for (const p of closePermissions(perms)) lines.push(`g2, r:${roleId}, ${p}`);
  }
  const now = w.now();
  for (const g of w.grants.values()) {
    if (g.expiresAt !== null && g.expiresAt <= now) continue;
    const members = g.subject.type === 'user' ? [g.subject.id] : [...(w.groups.get(g.subject.id) ?? [])];
    for (const u of members) {
      if (!w.inactive.has(u)) lines.push(`g, u:${u}, r:${g.roleId}, ${g.teamId ?? GLOBAL}`);
    }
  }
  return lines.join('\n');
}

async function oracle(w: World): Promise<Enforcer> {
  return newEnforcer(newModelFromString(MODEL), new StringAdapter(policyOf(w)));
}

interface Outcome {
  checks: number;
  allows: number;
  disagreements: string[];
}

/** Every user (plus an unknown one) × no team and every team × every permission. */
async function compare(w: World, phase: string): Promise<Outcome> {
  const e = await oracle(w);
  // The account's index was kept up to date change by change; this one is compiled in one pass
  // from the final state (as on load). Both must give the oracle's answers.
  const compiled = new AuthzIndex(w.account.view, w.now);
  const out: Outcome = { checks: 0, allows: 0, disagreements: [] };
  const scopes: (string | null)[] = [null, ...w.teams];
  for (const u of [...w.users, ADMIN, 'nobody']) {
    for (const team of scopes) {
      const want: Permission[] = [];
      for (const p of PERMISSIONS) {
        // enforceSync: the same evaluation as enforce() without a promise per call (5× faster here).
        const expected = e.enforceSync(`u:${u}`, team ?? GLOBAL, p);
        const got = w.account.can(u, p, team);
        const explained = w.account.explain(u, p, team).allowed;
        const fresh = compiled.can(u, p, team);
        out.checks++;
        if (expected) {
          out.allows++;
          want.push(p);
        }
        if (got !== expected || explained !== expected || fresh !== expected) {
          out.disagreements.push(`seed ${String(w.seed)} ${phase}: user ${u}, team ${team ?? '(global)'}, ${p}: casbin ${String(expected)}, can ${String(got)}, explain ${String(explained)}, compiled index ${String(fresh)}`);
        }
      }
      const listed = w.account.permissions(u, team);
      if (JSON.stringify(listed) !== JSON.stringify(want)) {
        out.disagreements.push(`seed ${String(w.seed)} ${phase}: user ${u}, team ${team ?? '(global)'}: permissions() ${listed.join(',')} ≠ casbin ${want.join(',')}`);
      }
    }
  }
  return out;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('authorisation agrees with a casbin oracle (SPEC §1–2)', function () {
  this.timeout(30_000);

  it('the oracle model itself: team grants stay in their team, global grants reach every team', async () => {
    const e = await newEnforcer(
      newModelFromString(MODEL),
      new StringAdapter(['p, r:dev', 'g2, r:dev, version:create', 'g, u:a, r:dev, team-1', 'g, u:b, r:dev, *'].join('\n')),
    );
    assert.equal(await e.enforce('u:a', 'team-1', 'version:create'), true);
    assert.equal(await e.enforce('u:a', 'team-2', 'version:create'), false);
    assert.equal(await e.enforce('u:a', GLOBAL, 'version:create'), false);
    assert.equal(await e.enforce('u:b', 'team-2', 'version:create'), true);
    assert.equal(await e.enforce('u:b', GLOBAL, 'version:create'), true);
    assert.equal(await e.enforce('u:b', GLOBAL, 'version:view'), false);
  });

  const totals = { checks: 0, allows: 0, lostByExpiry: 0, expiredGrants: 0, groupGrants: 0, inactive: 0, scopeRefusals: 0 };

  for (const seed of SEEDS) {
    it(`seed ${String(seed)}: every user × scope × permission, before and after time-bound grants expire`, async () => {
      const w = await buildWorld(seed);
      const before = await compare(w, 'at t0');
      // 1 h grants lapse, 3 h grants are still in force. Lapsed grants stop counting at once,
      // whether or not the sweep has removed them yet: half the seeds sweep first.
      w.advance(2 * HOUR);
      if (seed % 2 === 0) await w.account.sweepExpired();
      const after = await compare(w, seed % 2 === 0 ? 'at t0+2h, swept' : 'at t0+2h');
      const now = w.now();
      totals.checks += before.checks + after.checks;
      totals.allows += before.allows + after.allows;
      totals.lostByExpiry += before.allows - after.allows;
      totals.expiredGrants += [...w.grants.values()].filter((g) => g.expiresAt !== null && g.expiresAt <= now).length;
      totals.groupGrants += [...w.grants.values()].filter((g) => g.subject.type === 'group').length;
      totals.inactive += w.inactive.size;
      totals.scopeRefusals += w.scopeRefusals;
      const disagreements = [...before.disagreements, ...after.disagreements];
      assert.equal(disagreements.length, 0, `${String(disagreements.length)} disagreement(s); first 10:\n  ${disagreements.slice(0, 10).join('\n  ')}`);
      // Not vacuous: both answers occur.
      assert.ok(before.allows > 0 && before.allows < before.checks, 'a world where everything or nothing is allowed tests nothing');
    });
  }

  // Guards the generator: a change that stopped producing these cases would make the oracle test hollow.
  it('the random worlds exercised expiry, groups, deactivation and scope refusals', () => {
    assert.ok(totals.checks > 0);
    assert.ok(totals.expiredGrants > 0, 'no grant expired');
    assert.ok(totals.lostByExpiry > 0, 'expiry never changed an answer');
    assert.ok(totals.groupGrants > 0, 'no group grant');
    assert.ok(totals.inactive > 0, 'no deactivated user');
    assert.ok(totals.scopeRefusals > 0, 'no scope refusal');
  });
});

import assert from 'node:assert/strict';
import type { Account, ApprovalType, Permission, StaticRoleId } from '../src/index.js';
import { APPROVAL_TYPES, PERMISSIONS, STATIC_ROLE_IDS, STATIC_ROLES, isPermission } from '../src/index.js';
import { setup } from './helpers.js';

/*
 * SPEC §2 as an acceptance table, transcribed literally: one row per line of the spec's table,
 * columns in the spec's order. Expectations come only from here, never from the implementation.
 */

/** The spec's columns, left to right. */
const COLUMNS = ['admin', 'release_manager', 'product', 'developer', 'sre', 'qa', 'security', 'compliance', 'billing', 'viewer'] as const satisfies readonly StaticRoleId[];
type Column = (typeof COLUMNS)[number];
/** The spec's role names (§2, "Static roles ship with the product"). */
const NAMES: Record<Column, string> = {
  admin: 'Admin',
  release_manager: 'Release Manager',
  product: 'Product',
  developer: 'Developer',
  sre: 'SRE',
  qa: 'QA',
  security: 'Security',
  compliance: 'Compliance',
  billing: 'Billing',
  viewer: 'Viewer',
};

type Cell = '✓' | '';
type Cells = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];
interface MatrixRow {
  readonly permissions: readonly Permission[];
  readonly row: string;
  readonly cells: Cells;
}

// prettier-ignore
const MATRIX: readonly MatrixRow[] = [
  //                                                                                                                         Admin RelMgr Product Dev  SRE  QA   Sec  Compl Billing Viewer
  { permissions: ['product:view', 'environment:view', 'deployment:view', 'release:view', 'version:view', 'deployment_rule:view'],
                                                                      row: 'view rows',                         cells: ['✓', '✓', '✓', '✓', '✓', '✓', '✓', '✓', '✓', '✓'] },
  { permissions: ['product:create', 'product:edit'],                  row: 'Create/edit products',              cells: ['✓', '✓', '',  '',  '',  '',  '',  '',  '',  '' ] },
  { permissions: ['environment:create', 'environment:edit'],          row: 'Create/edit environments',          cells: ['✓', '✓', '',  '',  '✓', '',  '',  '',  '',  '' ] },
  { permissions: ['release:create'],                                  row: 'Create releases',                   cells: ['✓', '✓', '✓', '✓', '',  '',  '',  '',  '',  '' ] },
  { permissions: ['version:create'],                                  row: 'Create versions',                   cells: ['✓', '',  '',  '✓', '',  '',  '',  '',  '',  '' ] },
  { permissions: ['deployment:create'],                               row: 'Create deployments',                cells: ['✓', '✓', '',  '✓', '✓', '',  '',  '',  '',  '' ] },
  { permissions: ['deployment_rule:manage'],                          row: 'Manage deployment rules',           cells: ['✓', '✓', '',  '',  '✓', '',  '',  '',  '',  '' ] },
  { permissions: ['variable:manage', 'template:manage'],              row: 'Manage variables & templates',      cells: ['✓', '✓', '',  '',  '✓', '',  '',  '',  '',  '' ] },
  { permissions: ['release:approve'],                                 row: 'Approve releases',                  cells: ['✓', '✓', '✓', '',  '',  '',  '',  '',  '',  '' ] },
  { permissions: ['integration:manage', 'notification:manage'],       row: 'Manage integrations',               cells: ['✓', '',  '',  '',  '✓', '',  '',  '',  '',  '' ] },
  { permissions: ['api_key:manage'],                                  row: "Manage API keys (anyone's)",        cells: ['✓', '',  '',  '',  '',  '',  '',  '',  '',  '' ] },
  { permissions: ['user_role:manage'],                                row: 'Manage user roles',                 cells: ['✓', '',  '',  '',  '',  '',  '',  '',  '',  '' ] },
  { permissions: ['billing:manage', 'invoice:download'],              row: 'Manage billing',                    cells: ['✓', '',  '',  '',  '',  '',  '',  '',  '✓', '' ] },
];

/** The `version:approve:<type>` row: which type each column may approve ('all types' for Admin). */
type ApproveCell = ApprovalType | 'all types' | '';
// prettier-ignore
const APPROVE_ROW: readonly [ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell, ApproveCell] =
  // Admin       RelMgr     Product    Dev  SRE            QA    Sec         Compl         Billing Viewer
  ['all types', 'release', 'product', '',  'operational', 'qa', 'security', 'compliance', '',     ''];

/** "Beyond the matrix" (SPEC §2), plus the views the table's note gives every role. */
const BEYOND: readonly { readonly permissions: readonly Permission[]; readonly roles: readonly Column[] | 'all'; readonly why: string }[] = [
  // integration:manage implies integration:view, so its holders (Admin, SRE) have it too.
  { permissions: ['integration:view'], roles: ['release_manager', 'developer', 'admin', 'sre'], why: 'integration:view (RelMgr, Dev; implied for integration:manage)' },
  { permissions: ['release:delete', 'deployment_rule:delete', 'release:lock', 'release:archive', 'gate:override'], roles: ['admin', 'release_manager'], why: 'release lifecycle & break-glass' },
  { permissions: ['api_key:create'], roles: ['admin', 'developer'], why: 'API key for oneself' },
  { permissions: ['role:manage', 'team:manage'], roles: ['admin'], why: 'roles & teams' },
  { permissions: ['audit:view'], roles: ['admin', 'security', 'compliance'], why: 'audit trail' },
  { permissions: ['variable:view', 'template:view'], roles: 'all', why: 'every role has the views (BASELINE_VIEWS)' },
];

/** Permission → columns with ✓, from the rows above only (Admin's "everything" is added separately). */
function transcribe(): Map<Permission, Set<Column>> {
  const out = new Map<Permission, Set<Column>>();
  const add = (p: Permission, role: Column): void => {
    let s = out.get(p);
    if (!s) out.set(p, (s = new Set()));
    s.add(role);
  };
  for (const { permissions, cells } of MATRIX) {
    for (const p of permissions) {
      out.set(p, out.get(p) ?? new Set());
      COLUMNS.forEach((role, i) => {
        if (cells[i] === '✓') add(p, role);
      });
    }
  }
  for (const t of APPROVAL_TYPES) {
    const p: Permission = `version:approve:${t}`;
    out.set(p, out.get(p) ?? new Set());
    COLUMNS.forEach((role, i) => {
      const cell = APPROVE_ROW[i];
      if (cell === 'all types' || cell === t) add(p, role);
    });
  }
  for (const { permissions, roles } of BEYOND) {
    for (const p of permissions) {
      out.set(p, out.get(p) ?? new Set());
      for (const role of roles === 'all' ? COLUMNS : roles) add(p, role);
    }
  }
  return out;
}

const TABLE = transcribe();

/** The table's answer for one cell. Admin holds every permission, including ones the table never names. */
function expected(role: Column, p: Permission): boolean {
  return role === 'admin' || (TABLE.get(p)?.has(role) ?? false);
}

const yn = (b: boolean): string => (b ? 'allow' : 'deny');

/** One account where every static role is held once globally (G-<role>) and once only in team payments (T-<role>). */
async function holders(): Promise<Account> {
  const users: Record<string, string> = {};
  for (const role of COLUMNS) users[`G-${role}`] = role;
  const { account, admin } = await setup({ users });
  await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
  await account.createTeam(admin, { teamId: 'other', name: 'Other' });
  for (const role of COLUMNS) {
    await account.ensureUser({ userId: `T-${role}`, name: `T-${role}` });
    await account.assignRole(admin, { subject: { type: 'user', id: `T-${role}` }, roleId: role, teamId: 'payments' });
  }
  return account;
}

/**
 * For every permission, `can(user, p, team)` in each case `cases(p, want)` lists (`want`: the
 * role's column), as one line per answer that differs.
 */
function canMismatches(account: Account, role: Column, user: string, grant: string, cases: (p: Permission, want: boolean) => [string | null, boolean][]): string[] {
  const mismatches: string[] = [];
  for (const p of PERMISSIONS) {
    for (const [team, exp] of cases(p, expected(role, p))) {
      const got = account.can(user, p, team);
      if (got !== exp) mismatches.push(`${role} × ${p} (${grant}, ${team ?? 'no team'}): expected ${yn(exp)}, got ${yn(got)}`);
    }
  }
  return mismatches;
}

/** Fails with every mismatching cell named, not just the first. */
function assertNoMismatch(mismatches: string[]): void {
  assert.equal(mismatches.length, 0, `${String(mismatches.length)} cell(s) disagree with SPEC §2:\n  ${mismatches.join('\n  ')}`);
}

describe('static role permission table (SPEC §2)', () => {
  describe('the transcribed table', () => {
    it('names only permissions of the registry', () => {
      const unknown = [...TABLE.keys()].filter((p) => !isPermission(p));
      assert.deepEqual(unknown, []);
    });
    it('decides every permission of the registry (a permission added without a decision fails here)', () => {
      const undecided = PERMISSIONS.filter((p) => !TABLE.has(p));
      assert.deepEqual(undecided, [], `permissions in the registry with no row in SPEC §2's table: ${undecided.join(', ')}`);
    });
    it('has a column for exactly the static roles, with the spec names', () => {
      assert.deepEqual([...STATIC_ROLE_IDS].sort(), [...COLUMNS].sort());
      for (const role of COLUMNS) assert.equal(STATIC_ROLES[role].name, NAMES[role], `name of ${role}`);
    });
  });

  it('Admin holds every permission of the registry', async () => {
    const account = await holders();
    assert.deepEqual(STATIC_ROLES.admin.permissions, PERMISSIONS);
    const missing = PERMISSIONS.filter((p) => !account.can('G-admin', p) || !account.can('G-admin', p, 'other'));
    assert.deepEqual(missing, []);
  });

  describe('every role × every permission', () => {
    let account: Account;
    before(async () => {
      account = await holders();
    });

    for (const role of COLUMNS) {
      describe(NAMES[role], () => {
        it(`STATIC_ROLES.${role}.permissions is exactly its column`, () => {
          const held = new Set(STATIC_ROLES[role].permissions);
          const mismatches = PERMISSIONS.filter((p) => held.has(p) !== expected(role, p)).map(
            (p) => `${role} × ${p}: table says ${yn(expected(role, p))}, STATIC_ROLES says ${yn(held.has(p))}`,
          );
          assertNoMismatch(mismatches);
        });

        it('granted globally: can() matches the column with no team and in every team', () => {
          // Global grants count in every team; in 'general' the default Viewer grant adds its views.
          const mismatches = canMismatches(account, role, `G-${role}`, 'global grant', (p, want) => [
            [null, want],
            ['other', want],
            ['payments', want],
            ['general', want || expected('viewer', p)],
          ]);
          assertNoMismatch(mismatches);
        });

        it('granted in team payments: can() matches the column there and nowhere else', () => {
          const mismatches = canMismatches(account, role, `T-${role}`, 'grant in payments', (p, want) => [
            ['payments', want],
            ['other', false],
            [null, false],
            ['general', expected('viewer', p)],
          ]);
          assertNoMismatch(mismatches);
        });
      });
    }
  });

  describe('explain', () => {
    let account: Account;
    before(async () => {
      account = await holders();
    });

    it('a Viewer asking version:create is denied, naming the permission and the roles that grant it', () => {
      const d = account.explain('G-viewer', 'version:create');
      if (d.allowed) assert.fail('a Viewer may not create versions');
      assert.equal(d.denial.permission, 'version:create');
      assert.equal(d.denial.userId, 'G-viewer');
      assert.equal(d.denial.cause, 'missing_permission');
      assert.ok(d.denial.grantingRoles.includes('admin'), 'admin grants version:create');
      assert.ok(d.denial.grantingRoles.includes('developer'), 'developer grants version:create');
    });

    it("on deny, grantingRoles are exactly the table's ✓ columns, for every permission a Viewer lacks", () => {
      const mismatches: string[] = [];
      for (const p of PERMISSIONS.filter((q) => !expected('viewer', q))) {
        const d = account.explain('G-viewer', p, 'other');
        if (d.allowed) {
          mismatches.push(`viewer × ${p}: expected deny, explain allowed`);
          continue;
        }
        const want = COLUMNS.filter((r) => expected(r, p)).sort();
        const got = [...d.denial.grantingRoles].sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${p}: grantingRoles ${got.join(',')} ≠ table ${want.join(',')}`);
        if (d.denial.permission !== p) mismatches.push(`${p}: denial names ${d.denial.permission}`);
      }
      assertNoMismatch(mismatches);
    });

    it('on allow, names the grant that gives it', () => {
      const d = account.explain('T-developer', 'version:create', 'payments');
      if (!d.allowed) assert.fail('a Developer in payments may create versions there');
      assert.deepEqual(d.grantedBy, [{ roleId: 'developer', teamId: 'payments', via: null }]);
      assert.equal(account.explain('T-developer', 'version:create', 'other').allowed, false);
    });
  });
});

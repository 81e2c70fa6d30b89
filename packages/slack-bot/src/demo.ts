import type { Account, Actor, Gatehouse } from '@gatehouse/core';
import { own } from './rest/lookup.js';

/** One persona of the demo account: a Slack-like user id, a name and the roles they hold. */
interface Persona {
  userId: string;
  name: string;
  roles: { roleId: string; teamId?: string }[];
}

const T = { payments: 'payments', search: 'search' } as const;

/** The "growing SaaS company" of the reference documentation (15–30 people). */
export const DEMO_PERSONAS: readonly Persona[] = [
  { userId: 'UADA', name: 'Ada (Admin, VP Engineering)', roles: [{ roleId: 'admin' }] },
  { userId: 'UGRACE', name: 'Grace (Admin, platform lead)', roles: [{ roleId: 'admin' }] },
  { userId: 'URITA', name: 'Rita (Release Manager)', roles: [{ roleId: 'release_manager' }] },
  { userId: 'URUSS', name: 'Russ (Release Manager)', roles: [{ roleId: 'release_manager', teamId: T.search }] },
  { userId: 'USAM', name: 'Sam (SRE)', roles: [{ roleId: 'sre' }] },
  { userId: 'USOFIA', name: 'Sofia (SRE)', roles: [{ roleId: 'sre' }] },
  { userId: 'USTEVE', name: 'Steve (SRE)', roles: [{ roleId: 'sre', teamId: T.payments }] },
  ...['Dev', 'Dana', 'Diego', 'Dmitri', 'Dora', 'Duc'].map((n) => ({ userId: `U${n.toUpperCase()}`, name: `${n} (Developer, Payments)`, roles: [{ roleId: 'developer', teamId: T.payments }] })),
  ...['Eli', 'Ema', 'Enzo', 'Erin', 'Ezra', 'Evan'].map((n) => ({ userId: `U${n.toUpperCase()}`, name: `${n} (Developer, Search)`, roles: [{ roleId: 'developer', teamId: T.search }] })),
  { userId: 'UQUINN', name: 'Quinn (QA)', roles: [{ roleId: 'qa' }] },
  { userId: 'UQUENTIN', name: 'Quentin (QA, Payments)', roles: [{ roleId: 'qa', teamId: T.payments }] },
  { userId: 'USEC', name: 'Sec (Security)', roles: [{ roleId: 'security' }] },
  { userId: 'UPAM', name: 'Pam (Product)', roles: [{ roleId: 'product' }] },
  { userId: 'UVERA', name: 'Vera (Viewer)', roles: [] },
  { userId: 'UVIC', name: 'Vic (Viewer)', roles: [] },
  { userId: 'UVAL', name: 'Val (Viewer, support)', roles: [] },
  { userId: 'UCI', name: 'CI pipeline (service account)', roles: [{ roleId: 'developer' }] },
];

export interface DemoResult {
  accountId: string;
  /** Fresh secrets for a few personas, to try the REST API and the extension. */
  keys: { userId: string; name: string; kind: 'api_key' | 'personal_token'; secret: string }[];
  pendingVersions: string[];
}

/** Seeds (or tops up) the demo account. Safe to run twice: existing things are kept. */
export async function seedDemo(gatehouse: Gatehouse, accountId: string): Promise<DemoResult> {
  const admins = DEMO_PERSONAS.filter((p) => p.roles.some((r) => r.roleId === 'admin'));
  const account: Account = await gatehouse.createAccount(accountId, { name: 'Acme SaaS (demo)', admins: admins.map((a) => ({ userId: a.userId, name: a.name })) });
  const ada: Actor = { userId: 'UADA' };
  const fresh = !Object.hasOwn(account.view.teams, T.payments);
  if (fresh) {
    await account.createTeam(ada, { teamId: T.payments, name: 'Payments' });
    await account.createTeam(ada, { teamId: T.search, name: 'Search' });
    for (const p of DEMO_PERSONAS) {
      await account.ensureUser({ userId: p.userId, name: p.name, serviceAccount: p.userId === 'UCI' });
      for (const r of p.roles) {
        if (r.roleId === 'admin') continue;
        await account.assignRole(ada, { subject: { type: 'user', id: p.userId }, roleId: r.roleId, teamId: r.teamId ?? null });
      }
    }
    await account.createGroup(ada, { groupId: 'oncall', name: 'On-call', members: ['UDANA', 'UELI'] });
    await account.assignRole(ada, { subject: { type: 'group', id: 'oncall' }, roleId: 'sre', teamId: T.payments });
    await account.createProduct(ada, { productId: 'checkout', name: 'Checkout', teamId: T.payments });
    await account.createProduct(ada, { productId: 'search-api', name: 'Search API', teamId: T.search });
    await account.createEnvironment(ada, { environmentId: 'dev', name: 'dev' });
    await account.createEnvironment(ada, { environmentId: 'staging', name: 'staging' });
    await account.createEnvironment(ada, { environmentId: 'production', name: 'production', production: true });
    await account.createRule(ada, { environmentId: 'staging', requirements: [{ type: 'qa', quorum: 1 }] });
    await account.createRule(ada, {
      environmentId: 'production',
      requirements: [
        { type: 'qa', quorum: 1 },
        { type: 'security', quorum: 1 },
        { type: 'operational', quorum: 1 },
      ],
      requireReleaseApproval: false,
    });
    const dev: Actor = { userId: 'UDEV' };
    const v1 = await account.createVersion(dev, { productId: 'checkout', version: '1.4.0' });
    await account.requestApproval(dev, { versionId: v1.version.id, environmentId: 'production' });
    await account.decideVersion({ userId: 'UQUINN' }, { versionId: v1.version.id, approvalType: 'qa', decision: 'approve' });
    const v2 = await account.createVersion(dev, { productId: 'checkout', version: '1.5.0-rc.1' });
    await account.requestApproval(dev, { versionId: v2.version.id, environmentId: 'staging' });
    const eli: Actor = { userId: 'UELI' };
    const v3 = await account.createVersion(eli, { productId: 'search-api', version: '3.2.0' });
    await account.requestApproval(eli, { versionId: v3.version.id, environmentId: 'production' });
  }
  const keys: DemoResult['keys'] = [];
  for (const [userId, kind, name] of [
    ['UADA', 'personal_token', 'demo: Ada'],
    ['UDEV', 'personal_token', 'demo: Dev'],
    ['UQUINN', 'personal_token', 'demo: Quinn (QA)'],
    ['USEC', 'personal_token', 'demo: Sec (Security)'],
    ['UCI', 'api_key', 'demo: CI pipeline'],
  ] as const) {
    const created = await gatehouse.createKey(account, { userId: 'UADA' }, { name, kind, ownerId: userId });
    keys.push({ userId, name, kind, secret: created.secret });
  }
  const pendingVersions = Object.values(account.view.versions)
    .filter((v) => v.requestedFor.length > 0)
    .map((v) => `${own(account.view.products, v.productId)?.name ?? v.productId} ${v.version}`);
  return { accountId, keys, pendingVersions };
}

import { APPROVAL_TYPES } from '../authz/permissions.js';
import type { AccountState } from '../schemas.js';
import { durationText } from './duration.js';
import { followUpOf } from './follow-up.js';
import type { ConfigDocInput } from './schema.js';
import { CONFIG_VERSION } from './schema.js';

const byKey = <T>(entries: [string, T][]): Record<string, T> => Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
/** What identifies a grant in the file: its scope, role and subject. */
export function grantKey(g: { team?: string | null; role: string; user?: string; group?: string }): string {
  return `${g.team ?? ''}\0${g.role}\0${g.user ?? ''}\0${g.group ?? ''}`;
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The account's configuration as a document, in a stable order (keys sorted, lists sorted by what
 * identifies an entry), leaving out what equals the schema's defaults — so exporting twice gives the
 * same bytes, and applying an export changes nothing. Grants that came from access requests, and
 * grants already expired, are history and stay out.
 */
export function exportConfig(s: AccountState, now: number): ConfigDocInput {
  const users = Object.values(s.users);
  const person = (u: (typeof users)[number]) => ({ name: u.name, ...(u.email ? { email: u.email } : {}), ...(u.active ? {} : { active: false }) });
  const grants = Object.values(s.grants)
    .filter((g) => g.requestId === null && (g.expiresAt === null || g.expiresAt > now))
    .map((g) => ({
      ...(g.subject.type === 'user' ? { user: g.subject.id } : { group: g.subject.id }),
      role: g.roleId,
      ...(g.teamId ? { team: g.teamId } : {}),
      ...(g.expiresAt !== null ? { expires: new Date(g.expiresAt).toISOString() } : {}),
    }))
    .sort((a, b) => cmp(grantKey(a), grantKey(b)));
  const rules = Object.values(s.rules)
    .map((r) => ({
      environment: r.environmentId,
      ...(r.productId ? { product: r.productId } : {}),
      require: Object.fromEntries(APPROVAL_TYPES.flatMap((t) => r.requirements.filter((q) => q.type === t).map((q) => [t, q.quorum]))),
      ...(r.separationOfDuties ? {} : { separationOfDuties: false }),
      ...(r.requireReleaseApproval ? { releaseApproval: true } : {}),
      ...(r.policy ? { followUp: followUpOf(r.policy) } : {}),
    }))
    .sort((a, b) => cmp(`${a.environment}\0${a.product ?? ''}`, `${b.environment}\0${b.product ?? ''}`));
  return {
    version: CONFIG_VERSION,
    settings: {
      defaultRole: s.settings.defaultRoleId,
      defaultTeam: s.settings.defaultTeamId,
      approvalsChannel: s.settings.defaultChannel,
      maxAccessHours: Math.round(s.settings.maxAccessDurationMs / 3_600_000),
      ...(s.settings.approvalPolicy ? { followUp: followUpOf(s.settings.approvalPolicy) } : {}),
      ...(s.settings.accessRequestTtlMs ? { accessRequestExpiry: durationText(s.settings.accessRequestTtlMs) } : {}),
    },
    teams: byKey(Object.values(s.teams).map((t) => [t.id, { name: t.name }])),
    users: byKey(users.filter((u) => !u.serviceAccount).map((u) => [u.id, person(u)])),
    serviceAccounts: byKey(users.filter((u) => u.serviceAccount).map((u) => [u.id, { name: u.name, ...(u.active ? {} : { active: false }) }])),
    groups: byKey(Object.values(s.groups).map((g) => [g.id, { name: g.name, members: [...g.members].sort(cmp) }])),
    roles: byKey(Object.values(s.roles).map((r) => [r.id, { name: r.name, ...(r.description ? { description: r.description } : {}), scope: r.scope, permissions: [...r.permissions] }])),
    grants,
    products: byKey(Object.values(s.products).map((p) => [p.id, { name: p.name, team: p.teamId, ...(p.channel ? { channel: p.channel } : {}), ...(p.repositories?.length ? { repositories: [...p.repositories] } : {}) }])),
    environments: byKey(
      Object.values(s.environments).map((e) => [e.id, { name: e.name, ...(e.production ? { production: true } : {}), ...(e.productId ? { product: e.productId } : {}), ...(e.channel ? { channel: e.channel } : {}) }]),
    ),
    rules,
  };
}

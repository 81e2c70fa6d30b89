import type { EventBody, RoleAssignment } from '../events/schema.js';
import { grantChanges, membershipChanges } from '../events/meaning.js';
import { own } from '../own.js';
import type { AccountState, Deployment, Grant } from '../schemas.js';

/**
 * Lookup tables derived from the state (never stored): grants by user, by group and by role
 * (id → the state's grant object), groups by member.
 */
interface Derived {
  byUser: Map<string, Map<string, Grant>>;
  byGroup: Map<string, Map<string, Grant>>;
  byRole: Map<string, Map<string, Grant>>;
  groupsOf: Map<string, Set<string>>;
  /** `<product>\0<version string>` → version id: registering a version must not scan them all. */
  versionByName: Map<string, string>;
  /** Version id → its deployments, oldest first: a card shows where its version went without scanning every deployment. */
  deploymentsByVersion: Map<string, Deployment[]>;
}
const derivedCache = new WeakMap<AccountState, Derived>();

function bySubject(d: Derived, s: Grant['subject']): Map<string, Map<string, Grant>> {
  return s.type === 'user' ? d.byUser : d.byGroup;
}
function addGrant(m: Map<string, Map<string, Grant>>, k: string, g: Grant): void {
  let inner = m.get(k);
  if (!inner) m.set(k, (inner = new Map<string, Grant>()));
  inner.set(g.id, g);
}
function removeGrant(m: Map<string, Map<string, Grant>>, k: string, grantId: string): void {
  const inner = m.get(k);
  if (!inner) return;
  inner.delete(grantId);
  if (inner.size === 0) m.delete(k);
}
function indexGrant(d: Derived, g: Grant): void {
  addGrant(bySubject(d, g.subject), g.subject.id, g);
  addGrant(d.byRole, g.roleId, g);
}
function unindexGrant(d: Derived, g: Grant): void {
  removeGrant(bySubject(d, g.subject), g.subject.id, g.id);
  removeGrant(d.byRole, g.roleId, g.id);
}
function addTo(m: Map<string, Set<string>>, k: string, v: string): void {
  let set = m.get(k);
  if (!set) m.set(k, (set = new Set()));
  set.add(v);
}
function removeFrom(m: Map<string, Set<string>>, k: string, v: string): void {
  const set = m.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) m.delete(k);
}

function derived(state: AccountState): Derived {
  let d = derivedCache.get(state);
  if (!d) {
    d = { byUser: new Map(), byGroup: new Map(), byRole: new Map(), groupsOf: new Map(), versionByName: new Map(), deploymentsByVersion: new Map() };
    for (const id in state.grants) indexGrant(d, state.grants[id]!);
    for (const id in state.versions) {
      const v = state.versions[id]!;
      d.versionByName.set(versionName(v.productId, v.version), v.id);
    }
    for (const g of Object.values(state.groups)) for (const m of g.members) addTo(d.groupsOf, m, g.id);
    for (const dep of Object.values(state.deployments).sort((a, b) => a.createdAt - b.createdAt)) addDeployment(d, dep);
    derivedCache.set(state, d);
  }
  return d;
}

function addDeployment(d: Derived, dep: Deployment): void {
  const list = d.deploymentsByVersion.get(dep.versionId);
  if (list) list.push(dep);
  else d.deploymentsByVersion.set(dep.versionId, [dep]);
}

/** The deployments of a version, oldest first. */
export function deploymentsOfVersion(state: AccountState, versionId: string): readonly Deployment[] {
  return derived(state).deploymentsByVersion.get(versionId) ?? [];
}

const versionName = (productId: string, version: string) => `${productId}\0${version}`;

/** The version of a product registered under this version string, if any. */
export function versionByName(state: AccountState, productId: string, version: string): string | undefined {
  return derived(state).versionByName.get(versionName(productId, version));
}

const NO_GRANTS: ReadonlyMap<string, Grant> = new Map();

/** Grants of one subject (a user directly, or a group). */
export function grantsOfSubject(state: AccountState, subject: Grant['subject']): Grant[] {
  return [...(bySubject(derived(state), subject).get(subject.id) ?? NO_GRANTS).values()];
}

/** Grants of one role. */
export function grantsOfRole(state: AccountState, roleId: string): Grant[] {
  return [...(derived(state).byRole.get(roleId) ?? NO_GRANTS).values()];
}

/** Groups a user is a member of. */
export function groupsOfUser(state: AccountState, userId: string): string[] {
  return [...(derived(state).groupsOf.get(userId) ?? [])];
}

/**
 * A hypothetical change, to compute a user's roles "after" without copying the state:
 * grants added or removed, a group joined or left.
 */
export interface GrantDelta {
  addGrants?: readonly Grant[];
  removeGrantIds?: readonly string[];
  joinGroup?: string;
  leaveGroup?: string;
}

/**
 * Calls `visit` for each grant that applies to a user as the state stands: direct ones, then
 * those of every group they are in (`via` = the group). Allocates nothing: the index calls it
 * on every role change.
 */
export function visitGrantsOfUser(state: AccountState, userId: string, visit: (grant: Grant, via: string | null) => void): void {
  const d = derived(state);
  const direct = d.byUser.get(userId);
  if (direct) for (const grant of direct.values()) visit(grant, null);
  const groups = d.groupsOf.get(userId);
  if (groups) {
    for (const g of groups) {
      const held = d.byGroup.get(g);
      if (held) for (const grant of held.values()) visit(grant, g);
    }
  }
}

/** Grants that apply to a user: direct ones and those of every group they are in. */
export function grantsOfUser(state: AccountState, userId: string, delta: GrantDelta = {}): { grant: Grant; via: string | null }[] {
  const out: { grant: Grant; via: string | null }[] = [];
  const { joinGroup, leaveGroup, addGrants, removeGrantIds } = delta;
  visitGrantsOfUser(state, userId, (grant, via) => {
    if (leaveGroup === undefined || via !== leaveGroup) out.push({ grant, via });
  });
  if (joinGroup !== undefined && !derived(state).groupsOf.get(userId)?.has(joinGroup)) {
    for (const grant of grantsOfSubject(state, { type: 'group', id: joinGroup })) out.push({ grant, via: joinGroup });
  }
  if (addGrants?.length) {
    const groups = new Set(derived(state).groupsOf.get(userId) ?? []);
    if (joinGroup !== undefined) groups.add(joinGroup);
    if (leaveGroup !== undefined) groups.delete(leaveGroup);
    for (const grant of addGrants) {
      if (grant.subject.type === 'user' ? grant.subject.id === userId : groups.has(grant.subject.id)) {
        out.push({ grant, via: grant.subject.type === 'group' ? grant.subject.id : null });
      }
    }
  }
  if (!removeGrantIds?.length) return out;
  const removed = new Set(removeGrantIds);
  return out.filter(({ grant }) => !removed.has(grant.id));
}

/** A user's role assignments in force at `now`, sorted for stable display and comparison. */
export function assignmentsOf(state: AccountState, userId: string, now: number, delta?: GrantDelta): RoleAssignment[] {
  const user = own(state.users, userId);
  if (!user?.active) return [];
  return grantsOfUser(state, userId, delta)
    .filter(({ grant }) => grant.expiresAt === null || grant.expiresAt > now)
    .map(({ grant, via }) => ({ roleId: grant.roleId, teamId: grant.teamId, expiresAt: grant.expiresAt, via }))
    .sort((a, b) => `${a.teamId ?? ''}/${a.roleId}/${a.via ?? ''}`.localeCompare(`${b.teamId ?? ''}/${b.roleId}/${b.via ?? ''}`));
}

/** Users a grant's subject covers. */
export function usersOfSubject(state: AccountState, subject: Grant['subject']): string[] {
  if (subject.type === 'user') return [subject.id];
  return [...(own(state.groups, subject.id)?.members ?? [])];
}

/**
 * Active users holding a permanent global Admin grant (directly or via a group), optionally
 * pretending some grants, users or group memberships are gone. Time-bound Admin grants do not
 * count: they lapse on their own, so they cannot be what keeps an account administrable.
 */
export function activeAdmins(
  state: AccountState,
  without: { grantIds?: readonly string[]; userIds?: readonly string[]; membership?: { groupId: string; userId: string } } = {},
): string[] {
  const admins = new Set<string>();
  for (const grant of grantsOfRole(state, 'admin')) {
    if (grant.teamId !== null || grant.expiresAt !== null) continue;
    if (without.grantIds?.includes(grant.id)) continue;
    for (const u of usersOfSubject(state, grant.subject)) {
      if (grant.subject.type === 'group' && without.membership?.groupId === grant.subject.id && without.membership.userId === u) continue;
      if (without.userIds?.includes(u)) continue;
      if (own(state.users, u)?.active) admins.add(u);
    }
  }
  return [...admins].sort();
}

/** Keeps the derived lookup tables in step with an event (only if they were built); before the event is applied. */
export function updateDerived(state: AccountState, e: EventBody): void {
  const d = derivedCache.get(state);
  if (!d) return;
  const grants = grantChanges(e);
  for (const g of grants.added) indexGrant(d, g);
  for (const g of grants.removed) unindexGrant(d, g);
  for (const subject of grants.subjectsRemoved) for (const g of [...(bySubject(d, subject).get(subject.id)?.values() ?? [])]) unindexGrant(d, g);
  const members = membershipChanges(e);
  for (const m of members.joined) addTo(d.groupsOf, m.userId, m.groupId);
  for (const m of members.left) removeFrom(d.groupsOf, m.userId, m.groupId);
  if (e.type === 'version.created') d.versionByName.set(versionName(e.data.version.productId, e.data.version.version), e.data.version.id);
  if (e.type === 'deployment.created') addDeployment(d, e.data.deployment);
}

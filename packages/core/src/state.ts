import type { AuditEvent, RoleAssignment } from './events.js';
import { assertNever } from './errors.js';
import type { RoleDefinition } from './roles.js';
import { STATIC_ROLES, isStaticRoleId } from './roles.js';
import type { AccountState, Grant, Settings } from './schemas.js';
import { STATE_SCHEMA_VERSION } from './schemas.js';

export const GENESIS_HASH = '0'.repeat(64);

/** An account before its first event. */
export function emptyState(accountId: string): AccountState {
  return {
    schema: STATE_SCHEMA_VERSION,
    id: accountId,
    name: '',
    createdAt: 0,
    seq: 0,
    lastHash: GENESIS_HASH,
    settings: { defaultRoleId: 'viewer', defaultTeamId: 'general', defaultChannel: null, maxAccessDurationMs: 30 * 86_400_000 },
    users: {},
    teams: {},
    groups: {},
    roles: {},
    grants: {},
    products: {},
    environments: {},
    rules: {},
    versions: {},
    releases: {},
    deployments: {},
    requests: {},
    keys: {},
  };
}

export function roleById(state: AccountState, roleId: string): RoleDefinition | undefined {
  if (isStaticRoleId(roleId)) return STATIC_ROLES[roleId];
  return state.roles[roleId];
}

/**
 * Lookup tables derived from the state (never stored): grants by user, by group and by role
 * (id → the state's grant object), groups by member.
 */
interface Derived {
  byUser: Map<string, Map<string, Grant>>;
  byGroup: Map<string, Map<string, Grant>>;
  byRole: Map<string, Map<string, Grant>>;
  groupsOf: Map<string, Set<string>>;
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
    d = { byUser: new Map(), byGroup: new Map(), byRole: new Map(), groupsOf: new Map() };
    for (const id in state.grants) indexGrant(d, state.grants[id]!);
    for (const g of Object.values(state.groups)) for (const m of g.members) addTo(d.groupsOf, m, g.id);
    derivedCache.set(state, d);
  }
  return d;
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
  const user = state.users[userId];
  if (!user?.active) return [];
  return grantsOfUser(state, userId, delta)
    .filter(({ grant }) => grant.expiresAt === null || grant.expiresAt > now)
    .map(({ grant, via }) => ({ roleId: grant.roleId, teamId: grant.teamId, expiresAt: grant.expiresAt, via }))
    .sort((a, b) => `${a.teamId ?? ''}/${a.roleId}/${a.via ?? ''}`.localeCompare(`${b.teamId ?? ''}/${b.roleId}/${b.via ?? ''}`));
}

/** Users a grant's subject covers. */
export function usersOfSubject(state: AccountState, subject: Grant['subject']): string[] {
  if (subject.type === 'user') return [subject.id];
  return [...(state.groups[subject.id]?.members ?? [])];
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
      if (state.users[u]?.active) admins.add(u);
    }
  }
  return [...admins].sort();
}

/** Keeps the derived lookup tables in step with an event (only if they were built). */
function updateDerived(state: AccountState, e: AuditEvent): void {
  const d = derivedCache.get(state);
  if (!d) return;
  switch (e.type) {
    case 'grant.created':
      indexGrant(d, e.data.grant);
      break;
    case 'grant.revoked':
    case 'grant.expired':
      unindexGrant(d, e.data.grant);
      break;
    case 'group.created':
      for (const m of e.data.group.members) addTo(d.groupsOf, m, e.data.group.id);
      break;
    case 'group.member_added':
      addTo(d.groupsOf, e.data.userId, e.data.groupId);
      break;
    case 'group.member_removed':
      removeFrom(d.groupsOf, e.data.userId, e.data.groupId);
      break;
    case 'group.deleted':
      for (const m of e.data.group.members) removeFrom(d.groupsOf, m, e.data.group.id);
      for (const g of [...(d.byGroup.get(e.data.group.id)?.values() ?? [])]) unindexGrant(d, g);
      break;
    default:
      break;
  }
}

/**
 * Applies one event to the state, in place. Events were validated when they were decided,
 * so applying never refuses; it must stay deterministic because replay rebuilds state with it.
 */
export function applyEvent(state: AccountState, e: AuditEvent): void {
  updateDerived(state, e);
  switch (e.type) {
    case 'account.created':
      state.name = e.data.name;
      state.createdAt = e.at;
      state.settings = e.data.settings;
      state.teams[e.data.defaultTeam.id] = e.data.defaultTeam;
      break;
    case 'account.settings_changed':
      state.settings = e.data.after satisfies Settings;
      break;
    case 'user.added':
      state.users[e.data.user.id] = e.data.user;
      break;
    case 'user.updated':
      state.users[e.data.userId] = e.data.after;
      break;
    case 'user.deactivated':
      setActive(state, e.data.userId, false);
      break;
    case 'user.reactivated':
      setActive(state, e.data.userId, true);
      break;
    case 'team.created':
      state.teams[e.data.team.id] = e.data.team;
      break;
    case 'group.created':
      state.groups[e.data.group.id] = e.data.group;
      break;
    case 'group.member_added': {
      const g = state.groups[e.data.groupId];
      if (g && !g.members.includes(e.data.userId)) g.members.push(e.data.userId);
      break;
    }
    case 'group.member_removed': {
      const g = state.groups[e.data.groupId];
      if (g) g.members = g.members.filter((m) => m !== e.data.userId);
      break;
    }
    case 'group.deleted':
      delete state.groups[e.data.group.id];
      for (const [id, grant] of Object.entries(state.grants)) {
        if (grant.subject.type === 'group' && grant.subject.id === e.data.group.id) delete state.grants[id];
      }
      break;
    case 'role.created':
      state.roles[e.data.role.id] = e.data.role;
      break;
    case 'role.updated':
      state.roles[e.data.after.id] = e.data.after;
      break;
    case 'role.deleted':
      delete state.roles[e.data.role.id];
      break;
    case 'grant.created':
      state.grants[e.data.grant.id] = e.data.grant;
      break;
    case 'grant.revoked':
    case 'grant.expired':
      delete state.grants[e.data.grant.id];
      break;
    case 'product.created':
      state.products[e.data.product.id] = e.data.product;
      break;
    case 'product.updated':
      state.products[e.data.after.id] = e.data.after;
      break;
    case 'environment.created':
      state.environments[e.data.environment.id] = e.data.environment;
      break;
    case 'environment.updated':
      state.environments[e.data.after.id] = e.data.after;
      break;
    case 'rule.created':
      state.rules[e.data.rule.id] = e.data.rule;
      break;
    case 'rule.updated':
      state.rules[e.data.after.id] = e.data.after;
      break;
    case 'rule.deleted':
      delete state.rules[e.data.rule.id];
      break;
    case 'version.created':
      state.versions[e.data.version.id] = e.data.version;
      break;
    case 'version.approval_requested': {
      const v = state.versions[e.data.versionId];
      if (v && !v.requestedFor.includes(e.data.environmentId)) v.requestedFor.push(e.data.environmentId);
      break;
    }
    case 'version.message_linked': {
      const v = state.versions[e.data.versionId];
      if (v) v.message = e.data.message;
      break;
    }
    case 'version.decided': {
      const v = state.versions[e.data.versionId];
      if (!v) break;
      const d = e.data;
      v.decisions = v.decisions.filter((x) => !(x.approverId === d.approverId && x.type === d.approvalType));
      v.decisions.push({ approverId: d.approverId, type: d.approvalType, decision: d.decision, reason: d.reason, at: e.at });
      break;
    }
    case 'release.created':
      state.releases[e.data.release.id] = e.data.release;
      break;
    case 'release.version_added': {
      const v = state.versions[e.data.versionId];
      if (v) v.releaseId = e.data.releaseId;
      break;
    }
    case 'release.locked':
    case 'release.unlocked': {
      const r = state.releases[e.data.releaseId];
      if (r) r.locked = e.type === 'release.locked';
      break;
    }
    case 'release.archived':
    case 'release.restored': {
      const r = state.releases[e.data.releaseId];
      if (r) r.archived = e.type === 'release.archived';
      break;
    }
    case 'release.deleted':
      delete state.releases[e.data.release.id];
      for (const v of Object.values(state.versions)) if (v.releaseId === e.data.release.id) v.releaseId = null;
      break;
    case 'release.decided': {
      const r = state.releases[e.data.releaseId];
      if (!r) break;
      const d = e.data;
      r.decisions = r.decisions.filter((x) => x.approverId !== d.approverId);
      r.decisions.push({ approverId: d.approverId, decision: d.decision, reason: d.reason, at: e.at });
      break;
    }
    case 'deployment.created':
      state.deployments[e.data.deployment.id] = e.data.deployment;
      break;
    case 'gate.overridden':
      // The deployment event carries the override; this event exists to be loud in the audit trail.
      break;
    case 'access_request.created':
      state.requests[e.data.request.id] = e.data.request;
      break;
    case 'access_request.approved':
    case 'access_request.denied': {
      const r = state.requests[e.data.requestId];
      if (!r) break;
      r.status = e.type === 'access_request.approved' ? 'approved' : 'denied';
      r.decidedBy = e.actor;
      r.decidedAt = e.at;
      if (e.type === 'access_request.approved') r.grantId = e.data.grantId;
      else r.decisionReason = e.data.reason;
      break;
    }
    case 'api_key.created':
      state.keys[e.data.key.id] = e.data.key;
      break;
    case 'api_key.revoked': {
      const k = state.keys[e.data.keyId];
      if (k) k.revokedAt = e.at;
      break;
    }
    default:
      assertNever(e, 'event');
  }
  state.seq = e.seq;
  state.lastHash = e.hash;
}

function setActive(state: AccountState, userId: string, active: boolean): void {
  const u = state.users[userId];
  if (u) u.active = active;
}

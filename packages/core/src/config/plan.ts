import canonicalize from 'canonicalize';
import { closest } from 'fastest-levenshtein';
import { APPROVAL_TYPES, PERMISSIONS } from '../authz/permissions.js';
import { STATIC_ROLE_IDS, isStaticRoleId } from '../authz/roles.js';
import { catalog, grants as grantRules, groups as groupRules, roles as roleRules, users as userRules } from '../domains/index.js';
import type { ErrorCode } from '../errors.js';
import { GatehouseError, ValidationError } from '../errors.js';
import type { EventBody } from '../events/schema.js';
import type { Decide, DecideEnv, Decided } from '../kernel/decider.js';
import { own } from '../own.js';
import type { AccountState, Grant } from '../schemas.js';
import { applyEvent } from '../state/apply.js';
import { grantKey } from './export.js';
import { policyOf } from './follow-up.js';
import type { ConfigDoc, ConfigGrant, ConfigRule } from './schema.js';

/** One change the file asks for: `+` create, `~` change (with old → new per field), `-` remove (prune). */
export interface ConfigChange {
  kind: 'settings' | 'team' | 'role' | 'user' | 'service account' | 'group' | 'grant' | 'product' | 'environment' | 'rule';
  op: '+' | '~' | '-';
  key: string;
  /** Where the entry is in the file (empty for removals of what the file does not name). */
  path: (string | number)[];
  fields: { field: string; before: unknown; after: unknown }[];
}

/** A change the governance rules (or the core's other checks) refuse, with the refusal's facts. */
export interface ConfigRefusal {
  change: ConfigChange;
  code: ErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
}

export interface ConfigPlan {
  changes: ConfigChange[];
  refusals: ConfigRefusal[];
  /** What --prune leaves alone, and why. */
  kept: { kind: ConfigChange['kind']; key: string; reason: string }[];
}

/** A reference in the file to something that exists neither in the account nor in the file. */
export interface UnknownReference {
  path: (string | number)[];
  kind: string;
  id: string;
  suggestion: string | null;
}

export class ConfigReferenceError extends ValidationError {
  constructor(readonly unknown: readonly UnknownReference[]) {
    super(
      unknown.map((u) => `${u.path.join('.')}: unknown ${u.kind} '${u.id}'${u.suggestion ? ` (did you mean '${u.suggestion}'?)` : ''}`).join('; '),
      unknown.map((u) => ({ path: u.path.join('.'), message: `unknown ${u.kind} '${u.id}'${u.suggestion ? ` (did you mean '${u.suggestion}'?)` : ''}` })),
    );
  }
}

/** Applying was refused: nothing was written. */
export class ConfigRefusedError extends GatehouseError {
  constructor(readonly plan: ConfigPlan) {
    const first = plan.refusals[0];
    super(first?.code ?? 'validation_failed', `the configuration was not applied: ${plan.refusals.length} change(s) refused${first ? `, first ${first.change.kind} ${first.change.key}: ${first.message}` : ''}`, {
      refusals: plan.refusals.map((r) => ({ kind: r.change.kind, key: r.change.key, path: r.change.path.join('.'), code: r.code, message: r.message })),
      plan,
    });
  }
}

/** Equal as data, whatever the order of keys (RFC 8785 canonical JSON). */
const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);
const suggest = (id: string, known: Iterable<string>) => {
  const list = [...known];
  return list.length ? closest(id, list) : null;
};

/** Every id the file refers to must exist in the account or in the file itself. */
export function checkReferences(s: AccountState, doc: ConfigDoc): void {
  const teams = new Set([...Object.keys(s.teams), ...Object.keys(doc.teams)]);
  const users = new Set([...Object.keys(s.users), ...Object.keys(doc.users), ...Object.keys(doc.serviceAccounts)]);
  const groups = new Set([...Object.keys(s.groups), ...Object.keys(doc.groups)]);
  const roles = new Set([...STATIC_ROLE_IDS, ...Object.keys(s.roles), ...Object.keys(doc.roles)]);
  const products = new Set([...Object.keys(s.products), ...Object.keys(doc.products)]);
  const environments = new Set([...Object.keys(s.environments), ...Object.keys(doc.environments)]);
  const unknown: UnknownReference[] = [];
  const need = (set: Set<string>, kind: string, id: string | null | undefined, path: (string | number)[]) => {
    if (id !== null && id !== undefined && !set.has(id)) unknown.push({ path, kind, id, suggestion: suggest(id, set) });
  };
  need(roles, 'role', doc.settings?.defaultRole, ['settings', 'defaultRole']);
  need(teams, 'team', doc.settings?.defaultTeam, ['settings', 'defaultTeam']);
  for (const [id, g] of Object.entries(doc.groups)) g.members.forEach((m, i) => need(users, 'user', m, ['groups', id, 'members', i]));
  doc.grants.forEach((g, i) => {
    need(users, 'user', g.user, ['grants', i, 'user']);
    need(groups, 'group', g.group, ['grants', i, 'group']);
    need(roles, 'role', g.role, ['grants', i, 'role']);
    need(teams, 'team', g.team, ['grants', i, 'team']);
  });
  for (const [id, p] of Object.entries(doc.products)) need(teams, 'team', p.team, ['products', id, 'team']);
  for (const [id, e] of Object.entries(doc.environments)) need(products, 'product', e.product, ['environments', id, 'product']);
  doc.rules.forEach((r, i) => {
    need(environments, 'environment', r.environment, ['rules', i, 'environment']);
    need(products, 'product', r.product, ['rules', i, 'product']);
  });
  for (const id of Object.keys(doc.roles)) if (isStaticRoleId(id)) unknown.push({ path: ['roles', id], kind: 'custom role id (it names a built-in role)', id, suggestion: `${id}_custom` });
  if (unknown.length) throw new ConfigReferenceError(unknown);
}

type Step = { change: ConfigChange; run: (draft: AccountState, env: DecideEnv) => Decided<unknown>[] };

/** Runs a decision against the draft (never the real state) and applies what it decided there. */
function onDraft<I>(decide: Decide<I, unknown>, input: I) {
  return (draft: AccountState, env: DecideEnv): Decided<unknown>[] => [decide(draft, input, env)];
}

const ruleKey = (r: { environment: string; product: string | null }) => `${r.environment} for ${r.product ?? 'every product'}`;
const requirementsOf = (r: ConfigRule) => APPROVAL_TYPES.flatMap((type) => (r.require[type] === undefined ? [] : [{ type, quorum: r.require[type] }]));
const expiryOf = (g: ConfigGrant) => (g.expires === null ? null : Date.parse(g.expires));
const subjectOf = (g: ConfigGrant) => (g.user !== undefined ? { type: 'user' as const, id: g.user } : { type: 'group' as const, id: g.group ?? '' });
const fileGrantKey = (g: ConfigGrant) => grantKey({ team: g.team, role: g.role, ...(g.user !== undefined ? { user: g.user } : { group: g.group ?? '' }) });
const stateGrantKey = (g: Grant) => grantKey({ team: g.teamId, role: g.roleId, [g.subject.type]: g.subject.id });
const fieldDiff = (pairs: [string, unknown, unknown][]) => pairs.filter(([, a, b]) => !same(a, b)).map(([field, before, after]) => ({ field, before, after }));

/**
 * The changes the file asks for, in an order where each may rely on the ones before (teams and
 * roles before what refers to them, grants before deactivations, prunes of grants before prunes of
 * roles). Each step reads the draft as the steps before left it.
 */
function* steps(doc: ConfigDoc, prune: boolean, draftOf: () => AccountState, kept: ConfigPlan['kept']): Generator<Step> {
  for (const [id, t] of Object.entries(doc.teams)) {
    const cur = own(draftOf().teams, id);
    if (!cur) yield { change: { kind: 'team', op: '+', key: id, path: ['teams', id], fields: [] }, run: onDraft(catalog.createTeam, { teamId: id, name: t.name }) };
    else if (cur.name !== t.name) yield { change: { kind: 'team', op: '~', key: id, path: ['teams', id], fields: fieldDiff([['name', cur.name, t.name]]) }, run: onDraft(catalog.renameTeam, { teamId: id, name: t.name }) };
  }
  for (const [id, r] of Object.entries(doc.roles)) {
    const cur = own(draftOf().roles, id);
    const permissions = PERMISSIONS.filter((p) => r.permissions.includes(p));
    const input = { roleId: id, name: r.name, description: r.description, scope: r.scope, permissions };
    if (!cur) yield { change: { kind: 'role', op: '+', key: id, path: ['roles', id], fields: [] }, run: onDraft(roleRules.createRole, input) };
    else {
      const fields = fieldDiff([['name', cur.name, r.name], ['description', cur.description, r.description], ['scope', cur.scope, r.scope], ['permissions', cur.permissions, permissions]]);
      if (fields.length) yield { change: { kind: 'role', op: '~', key: id, path: ['roles', id], fields }, run: onDraft(roleRules.updateRole, input) };
    }
  }
  if (doc.settings) {
    const cur = draftOf().settings;
    const want = doc.settings;
    const fields = fieldDiff([
      ['defaultRole', cur.defaultRoleId, want.defaultRole ?? cur.defaultRoleId],
      ['defaultTeam', cur.defaultTeamId, want.defaultTeam ?? cur.defaultTeamId],
      ['approvalsChannel', cur.defaultChannel, want.approvalsChannel === undefined ? cur.defaultChannel : want.approvalsChannel],
      ['maxAccessHours', Math.round(cur.maxAccessDurationMs / 3_600_000), want.maxAccessHours ?? Math.round(cur.maxAccessDurationMs / 3_600_000)],
      ['followUp', cur.approvalPolicy ?? null, want.followUp === undefined ? (cur.approvalPolicy ?? null) : policyOf(want.followUp)],
      ['accessRequestExpiry', cur.accessRequestTtlMs ?? null, want.accessRequestExpiry ?? cur.accessRequestTtlMs ?? null],
    ]);
    if (fields.length) {
      const input = {
        ...(want.defaultRole !== undefined ? { defaultRoleId: want.defaultRole } : {}),
        ...(want.defaultTeam !== undefined ? { defaultTeamId: want.defaultTeam } : {}),
        ...(want.approvalsChannel !== undefined ? { defaultChannel: want.approvalsChannel } : {}),
        ...(want.maxAccessHours !== undefined ? { maxAccessDurationMs: want.maxAccessHours * 3_600_000 } : {}),
        ...(want.followUp !== undefined ? { approvalPolicy: policyOf(want.followUp) } : {}),
        ...(want.accessRequestExpiry !== undefined ? { accessRequestTtlMs: want.accessRequestExpiry } : {}),
      };
      yield { change: { kind: 'settings', op: '~', key: 'settings', path: ['settings'], fields }, run: onDraft(catalog.updateSettings, input) };
    }
  }
  const people: [string, { name: string; email: string | null; active: boolean }, boolean][] = [
    ...Object.entries(doc.users).map(([id, u]): [string, { name: string; email: string | null; active: boolean }, boolean] => [id, u, false]),
    ...Object.entries(doc.serviceAccounts).map(([id, u]): [string, { name: string; email: string | null; active: boolean }, boolean] => [id, { ...u, email: null }, true]),
  ];
  for (const [id, u, serviceAccount] of people) {
    const kind = serviceAccount ? 'service account' : 'user';
    const path = [serviceAccount ? 'serviceAccounts' : 'users', id];
    const cur = own(draftOf().users, id);
    if (!cur) {
      yield { change: { kind, op: '+', key: id, path, fields: [] }, run: onDraft(userRules.addUser, { userId: id, name: u.name, email: u.email, serviceAccount, defaultRole: false }) };
      continue;
    }
    if (cur.serviceAccount !== serviceAccount) {
      yield { change: { kind, op: '~', key: id, path, fields: fieldDiff([['serviceAccount', cur.serviceAccount, serviceAccount]]) }, run: () => { throw new ValidationError(`${id} is ${cur.serviceAccount ? 'a service account: list it under serviceAccounts' : 'a person: list it under users'}`, [{ path: path.join('.'), message: 'wrong section' }]); } };
      continue;
    }
    const fields = fieldDiff([['name', cur.name, u.name], ['email', cur.email, u.email]]);
    if (fields.length) yield { change: { kind, op: '~', key: id, path, fields }, run: onDraft(userRules.updateUser, { userId: id, name: u.name, email: u.email }) };
    if (!cur.active && u.active) yield { change: { kind, op: '~', key: id, path, fields: fieldDiff([['active', false, true]]) }, run: onDraft(userRules.reactivateUser, { userId: id }) };
  }
  for (const [id, g] of Object.entries(doc.groups)) {
    const cur = own(draftOf().groups, id);
    const path = ['groups', id];
    if (!cur) {
      yield { change: { kind: 'group', op: '+', key: id, path, fields: [] }, run: onDraft(groupRules.createGroup, { groupId: id, name: g.name, members: g.members }) };
      continue;
    }
    if (cur.name !== g.name) yield { change: { kind: 'group', op: '~', key: id, path, fields: fieldDiff([['name', cur.name, g.name]]) }, run: onDraft(groupRules.renameGroup, { groupId: id, name: g.name }) };
    const want = new Set(g.members);
    for (const m of g.members) if (!cur.members.includes(m)) yield { change: { kind: 'group', op: '~', key: id, path, fields: [{ field: 'members', before: null, after: `+ ${m}` }] }, run: onDraft(groupRules.addGroupMember, { groupId: id, userId: m }) };
    for (const m of cur.members) if (!want.has(m)) yield { change: { kind: 'group', op: '~', key: id, path, fields: [{ field: 'members', before: `- ${m}`, after: null }] }, run: onDraft(groupRules.removeGroupMember, { groupId: id, userId: m }) };
  }
  const wanted = new Map(doc.grants.map((g, i) => [fileGrantKey(g), { g, i }]));
  const held = new Map(Object.values(draftOf().grants).filter((g) => g.requestId === null).map((g) => [stateGrantKey(g), g]));
  for (const [key, { g, i }] of wanted) {
    const cur = held.get(key);
    const expiresAt = expiryOf(g);
    const label = `${g.user ?? `group ${g.group}`} → ${g.role}${g.team ? ` in ${g.team}` : ' (global)'}`;
    const input = { subject: subjectOf(g), roleId: g.role, teamId: g.team, expiresAt };
    if (!cur) yield { change: { kind: 'grant', op: '+', key: label, path: ['grants', i], fields: [] }, run: onDraft(grantRules.assignRole, input) };
    else if (cur.expiresAt !== expiresAt) yield { change: { kind: 'grant', op: '~', key: label, path: ['grants', i], fields: fieldDiff([['expires', cur.expiresAt === null ? null : new Date(cur.expiresAt).toISOString(), g.expires]]) }, run: onDraft(grantRules.assignRole, input) };
  }
  if (prune) {
    for (const [key, g] of held) {
      if (wanted.has(key)) continue;
      const label = `${g.subject.type === 'user' ? g.subject.id : `group ${g.subject.id}`} → ${g.roleId}${g.teamId ? ` in ${g.teamId}` : ' (global)'}`;
      yield { change: { kind: 'grant', op: '-', key: label, path: [], fields: [] }, run: onDraft(grantRules.revokeRole, { grantId: g.id }) };
    }
  }
  for (const [id, p] of Object.entries(doc.products)) {
    const cur = own(draftOf().products, id);
    const path = ['products', id];
    if (!cur) yield { change: { kind: 'product', op: '+', key: id, path, fields: [] }, run: onDraft(catalog.createProduct, { productId: id, name: p.name, teamId: p.team, channel: p.channel, repositories: p.repositories }) };
    else {
      const fields = fieldDiff([['name', cur.name, p.name], ['team', cur.teamId, p.team], ['channel', cur.channel, p.channel], ['repositories', cur.repositories ?? [], p.repositories]]);
      if (fields.length) yield { change: { kind: 'product', op: '~', key: id, path, fields }, run: onDraft(catalog.updateProduct, { productId: id, name: p.name, teamId: p.team, channel: p.channel, repositories: p.repositories }) };
    }
  }
  for (const [id, e] of Object.entries(doc.environments)) {
    const cur = own(draftOf().environments, id);
    const path = ['environments', id];
    if (!cur) {
      yield { change: { kind: 'environment', op: '+', key: id, path, fields: [] }, run: onDraft(catalog.createEnvironment, { environmentId: id, name: e.name, productId: e.product, production: e.production, channel: e.channel }) };
      continue;
    }
    const fields = fieldDiff([['name', cur.name, e.name], ['production', cur.production, e.production], ['channel', cur.channel ?? null, e.channel], ['product', cur.productId, e.product]]);
    if (!fields.length) continue;
    const run =
      cur.productId !== e.product
        ? () => { throw new ValidationError(`environment ${id} belongs to ${cur.productId ? `product ${cur.productId}` : 'every product'}: an environment cannot move; create another`, [{ path: `${path.join('.')}.product`, message: 'cannot change' }]); }
        : onDraft(catalog.updateEnvironment, { environmentId: id, name: e.name, production: e.production, channel: e.channel });
    yield { change: { kind: 'environment', op: '~', key: id, path, fields }, run };
  }
  const rules = Object.values(draftOf().rules);
  const matched = new Set<string>();
  for (const [i, r] of doc.rules.entries()) {
    const cur = rules.find((x) => !matched.has(x.id) && x.environmentId === r.environment && x.productId === r.product);
    const requirements = requirementsOf(r);
    const path = ['rules', i];
    const policy = r.followUp ? policyOf(r.followUp) : null;
    if (!cur) {
      yield { change: { kind: 'rule', op: '+', key: ruleKey(r), path, fields: [] }, run: onDraft(catalog.createRule, { environmentId: r.environment, productId: r.product, requirements, requireReleaseApproval: r.releaseApproval, separationOfDuties: r.separationOfDuties, ...(policy ? { policy } : {}) }) };
      continue;
    }
    matched.add(cur.id);
    const fields = fieldDiff([['require', cur.requirements, requirements], ['separationOfDuties', cur.separationOfDuties, r.separationOfDuties], ['releaseApproval', cur.requireReleaseApproval, r.releaseApproval], ['followUp', cur.policy ?? null, policy]]);
    if (fields.length) yield { change: { kind: 'rule', op: '~', key: ruleKey(r), path, fields }, run: onDraft(catalog.updateRule, { ruleId: cur.id, requirements, requireReleaseApproval: r.releaseApproval, separationOfDuties: r.separationOfDuties, policy }) };
  }
  if (prune) {
    for (const r of rules) if (!matched.has(r.id)) yield { change: { kind: 'rule', op: '-', key: ruleKey({ environment: r.environmentId, product: r.productId }), path: [], fields: [] }, run: onDraft(catalog.deleteRule, { ruleId: r.id }) };
    for (const g of Object.values(draftOf().groups)) if (!own(doc.groups, g.id)) yield { change: { kind: 'group', op: '-', key: g.id, path: [], fields: [] }, run: onDraft(groupRules.deleteGroup, { groupId: g.id }) };
    const requested = new Set(Object.values(draftOf().requests).map((r) => r.roleId));
    for (const r of Object.values(draftOf().roles)) {
      if (own(doc.roles, r.id)) continue;
      if (requested.has(r.id)) kept.push({ kind: 'role', key: r.id, reason: 'access requests refer to it' });
      else yield { change: { kind: 'role', op: '-', key: r.id, path: [], fields: [] }, run: onDraft(roleRules.deleteRole, { roleId: r.id }) };
    }
    for (const t of Object.values(draftOf().teams)) if (!own(doc.teams, t.id)) kept.push({ kind: 'team', key: t.id, reason: 'teams are never deleted' });
    for (const p of Object.values(draftOf().products)) if (!own(doc.products, p.id)) kept.push({ kind: 'product', key: p.id, reason: 'products are never deleted (versions refer to them)' });
    for (const e of Object.values(draftOf().environments)) if (!own(doc.environments, e.id)) kept.push({ kind: 'environment', key: e.id, reason: 'environments are never deleted (deployments refer to them)' });
  }
  // Deactivations last: grants to a user the file deactivates are settled first.
  for (const [id, u, serviceAccount] of people) {
    const cur = own(draftOf().users, id);
    if (!u.active && cur?.active) yield { change: { kind: serviceAccount ? 'service account' : 'user', op: '~', key: id, path: [serviceAccount ? 'serviceAccounts' : 'users', id], fields: fieldDiff([['active', true, false]]) }, run: onDraft(userRules.deactivateUser, { userId: id }) };
  }
  if (prune) {
    for (const u of Object.values(draftOf().users)) {
      if (u.active && !own(doc.users, u.id) && !own(doc.serviceAccounts, u.id)) yield { change: { kind: u.serviceAccount ? 'service account' : 'user', op: '-', key: u.id, path: [], fields: [{ field: 'active', before: true, after: false }] }, run: onDraft(userRules.deactivateUser, { userId: u.id }) };
    }
  }
}

/**
 * Plans the file against the state: every change in order, each decided by its domain's own rule
 * (so governance applies to each, for the acting user) against a draft that already holds the
 * changes before it. Refused changes are collected, not thrown; their events are left out.
 */
export function planConfig(s: AccountState, doc: ConfigDoc, env: DecideEnv, prune: boolean): { plan: ConfigPlan; events: EventBody[] } {
  checkReferences(s, doc);
  const draft = structuredClone(s);
  const plan: ConfigPlan = { changes: [], refusals: [], kept: [] };
  const events: EventBody[] = [];
  for (const step of steps(doc, prune, () => draft, plan.kept)) {
    plan.changes.push(step.change);
    try {
      for (const out of step.run(draft, env)) {
        for (const body of out.events) applyEvent(draft, { ...body, id: 'draft', seq: draft.seq, actor: env.actor.userId, keyId: env.actor.keyId ?? null, at: env.now, prev: draft.lastHash, hash: draft.lastHash });
        events.push(...out.events);
      }
    } catch (err) {
      if (!(err instanceof GatehouseError)) throw err;
      plan.refusals.push({ change: step.change, code: err.code, message: err.message, details: err.details });
    }
  }
  return { plan, events };
}

/** Applying: all of the plan in one commit, or nothing when any change is refused. */
export const applyConfig: Decide<{ doc: ConfigDoc; prune: boolean }, ConfigPlan> = (s, { doc, prune }, env) => {
  const { plan, events } = planConfig(s, doc, env, prune);
  if (plan.refusals.length) throw new ConfigRefusedError(plan);
  return { events, result: plan };
};

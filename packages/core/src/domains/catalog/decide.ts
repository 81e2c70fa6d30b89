import type * as C from '../../commands.js';
import { ConflictError, EscalationError, RoleScopeError, ValidationError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { environmentOf, environmentTeam, productOf, roleOf, ruleOf, teamOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { AccountState, DeploymentRule, Environment, Product, Team } from '../../schemas.js';

/** Account settings, teams, products, environments and deployment rules: what approvals are decided against. */

export const updateSettings: Decide<C.Parsed<typeof C.UpdateSettingsInput>, void> = (s, i, env) => {
  need(env, 'user_role:manage', null);
  const after = { ...s.settings };
  if (i.defaultRoleId !== undefined) {
    const role = roleOf(s, i.defaultRoleId);
    if (role.id === 'admin') throw new EscalationError('the default role for newcomers cannot be Admin', { action: 'default_role', roleId: role.id });
    after.defaultRoleId = role.id;
  }
  if (i.defaultTeamId !== undefined) after.defaultTeamId = teamOf(s, i.defaultTeamId).id;
  if (i.defaultChannel !== undefined) after.defaultChannel = i.defaultChannel;
  if (i.maxAccessDurationMs !== undefined) after.maxAccessDurationMs = i.maxAccessDurationMs;
  if (i.approvalPolicy === null) delete after.approvalPolicy;
  else if (i.approvalPolicy !== undefined) after.approvalPolicy = i.approvalPolicy;
  if (i.accessRequestTtlMs !== undefined) after.accessRequestTtlMs = i.accessRequestTtlMs;
  const defaultRole = roleOf(s, after.defaultRoleId);
  if (defaultRole.scope === 'global' && defaultRole.kind === 'custom') {
    throw new RoleScopeError('the default role is granted in the default team, so it must be a static or team-scoped role', { roleId: defaultRole.id });
  }
  if (JSON.stringify(after) === JSON.stringify(s.settings)) return unchanged(undefined);
  return { events: [{ type: 'account.settings_changed', data: { before: s.settings, after } }], result: undefined };
};

export const createTeam: Decide<C.Parsed<typeof C.CreateTeamInput>, { teamId: string }> = (s, i, env) => {
  need(env, 'team:manage', null);
  const id = i.teamId ?? env.newId('team');
  if (own(s.teams, id)) throw new ConflictError(`team '${id}' already exists`, { teamId: id });
  return { events: [{ type: 'team.created', data: { team: { id, name: i.name, createdAt: env.now } } }], result: { teamId: id } };
};

export const renameTeam: Decide<C.Parsed<typeof C.UpdateTeamInput>, Team> = (s, i, env) => {
  need(env, 'team:manage', null);
  const before = teamOf(s, i.teamId);
  if (before.name === i.name) return unchanged(before);
  const after = { ...before, name: i.name };
  return { events: [{ type: 'team.updated', data: { before, after } }], result: after };
};

/** A repository deploys one product: refuses one that another product lists already. */
function checkRepositories(s: AccountState, productId: string, repositories: readonly string[]): void {
  for (const repo of repositories) {
    const other = Object.values(s.products).find((p) => p.id !== productId && p.repositories?.some((r) => r.toLowerCase() === repo.toLowerCase()));
    if (other) throw new ConflictError(`repository ${repo} belongs to product '${other.id}' already: a repository deploys one product`, { repository: repo, productId: other.id });
  }
}

export const createProduct: Decide<C.Parsed<typeof C.CreateProductInput>, Product> = (s, i, env) => {
  teamOf(s, i.teamId);
  need(env, 'product:create', i.teamId);
  const id = i.productId ?? env.newId('prod');
  if (own(s.products, id)) throw new ConflictError(`product '${id}' already exists`, { productId: id });
  if (i.repositories?.length) checkRepositories(s, id, i.repositories);
  const product: Product = { id, name: i.name, teamId: i.teamId, channel: i.channel, ...(i.repositories?.length ? { repositories: i.repositories } : {}), createdAt: env.now };
  return { events: [{ type: 'product.created', data: { product } }], result: product };
};

export const updateProduct: Decide<C.Parsed<typeof C.UpdateProductInput>, Product> = (s, i, env) => {
  const before = productOf(s, i.productId);
  need(env, 'product:edit', before.teamId);
  if (i.teamId !== undefined && i.teamId !== before.teamId) need(env, 'product:edit', teamOf(s, i.teamId).id);
  const after: Product = { ...before, name: i.name ?? before.name, teamId: i.teamId ?? before.teamId, channel: i.channel === undefined ? before.channel : i.channel };
  if (i.repositories !== undefined) {
    checkRepositories(s, before.id, i.repositories);
    if (i.repositories.length) after.repositories = i.repositories;
    else delete after.repositories;
  }
  if (JSON.stringify(after) === JSON.stringify(before)) return unchanged(before);
  return { events: [{ type: 'product.updated', data: { before, after } }], result: after };
};

export const createEnvironment: Decide<C.Parsed<typeof C.CreateEnvironmentInput>, Environment> = (s, i, env) => {
  const teamId = i.productId ? productOf(s, i.productId).teamId : null;
  need(env, 'environment:create', teamId);
  const id = i.environmentId ?? env.newId('env');
  if (own(s.environments, id)) throw new ConflictError(`environment '${id}' already exists`, { environmentId: id });
  const environment: Environment = { id, name: i.name, productId: i.productId, production: i.production, ...(i.channel === null ? {} : { channel: i.channel }), createdAt: env.now };
  return { events: [{ type: 'environment.created', data: { environment } }], result: environment };
};

export const updateEnvironment: Decide<C.Parsed<typeof C.UpdateEnvironmentInput>, Environment> = (s, i, env) => {
  const before = environmentOf(s, i.environmentId);
  need(env, 'environment:edit', environmentTeam(s, before.id));
  const after: Environment = { ...before, name: i.name ?? before.name, production: i.production ?? before.production };
  if (i.channel !== undefined) after.channel = i.channel;
  if (JSON.stringify(after) === JSON.stringify(before)) return unchanged(before);
  return { events: [{ type: 'environment.updated', data: { before, after } }], result: after };
};

/** The team a rule belongs to: its product's, else its environment's (null = account-wide). */
function ruleTeam(s: AccountState, environmentId: string, productId: string | null): string | null {
  const envTeam = environmentTeam(s, environmentId);
  if (!productId) return envTeam;
  const p = productOf(s, productId);
  const e = own(s.environments, environmentId);
  if (e?.productId && e.productId !== productId) throw new ValidationError(`environment ${environmentId} belongs to another product`, [{ path: 'productId', message: 'mismatch' }]);
  return p.teamId;
}

export const createRule: Decide<C.Parsed<typeof C.CreateRuleInput>, DeploymentRule> = (s, i, env) => {
  need(env, 'deployment_rule:manage', ruleTeam(s, i.environmentId, i.productId));
  const { policy, ...rest } = i;
  const rule: DeploymentRule = { id: env.newId('rule'), ...rest, ...(policy ? { policy } : {}), createdAt: env.now };
  return { events: [{ type: 'rule.created', data: { rule } }], result: rule };
};

export const updateRule: Decide<C.Parsed<typeof C.UpdateRuleInput>, DeploymentRule> = (s, i, env) => {
  const before = ruleOf(s, i.ruleId);
  need(env, 'deployment_rule:manage', ruleTeam(s, before.environmentId, before.productId));
  const after: DeploymentRule = {
    ...before,
    requirements: i.requirements ?? before.requirements,
    requireReleaseApproval: i.requireReleaseApproval ?? before.requireReleaseApproval,
    separationOfDuties: i.separationOfDuties ?? before.separationOfDuties,
  };
  if (i.policy === null) delete after.policy;
  else if (i.policy !== undefined) after.policy = i.policy;
  if (JSON.stringify(after) === JSON.stringify(before)) return unchanged(before);
  return { events: [{ type: 'rule.updated', data: { before, after } }], result: after };
};

export const deleteRule: Decide<C.Parsed<typeof C.RuleRefInput>, void> = (s, { ruleId }, env) => {
  const rule = ruleOf(s, ruleId);
  need(env, 'deployment_rule:delete', ruleTeam(s, rule.environmentId, rule.productId));
  return { events: [{ type: 'rule.deleted', data: { rule } }], result: undefined };
};

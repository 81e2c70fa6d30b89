import type { RoleDefinition } from '../authz/roles.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AccountState, Environment, Group, Product, Release, Team, Version } from '../schemas.js';
import { own } from '../own.js';
import { roleById } from '../state/empty.js';

/** Lookups by a user-supplied id that refuse with NotFoundError (own properties only: see `own`). */

function must<T>(value: T | undefined, entity: string, id: string): T {
  if (value === undefined) throw new NotFoundError(entity, id);
  return value;
}

export const userOf = (s: AccountState, id: string) => must(own(s.users, id), 'user', id);
export const teamOf = (s: AccountState, id: string): Team => must(own(s.teams, id), 'team', id);
export const groupOf = (s: AccountState, id: string): Group => must(own(s.groups, id), 'group', id);
export const productOf = (s: AccountState, id: string): Product => must(own(s.products, id), 'product', id);
export const versionOf = (s: AccountState, id: string): Version => must(own(s.versions, id), 'version', id);
export const releaseOf = (s: AccountState, id: string): Release => must(own(s.releases, id), 'release', id);
export const environmentOf = (s: AccountState, id: string): Environment => must(own(s.environments, id), 'environment', id);
export const roleOf = (s: AccountState, id: string): RoleDefinition => must(roleById(s, id), 'role', id);
export const ruleOf = (s: AccountState, id: string) => must(own(s.rules, id), 'deployment rule', id);

/** Team a product-bound environment belongs to (null = account-wide). */
export function environmentTeam(s: AccountState, environmentId: string): string | null {
  const env = environmentOf(s, environmentId);
  return env.productId ? productOf(s, env.productId).teamId : null;
}

/** An environment a version of `productId` may go to (account-wide, or that product's own). */
export function environmentFor(s: AccountState, environmentId: string, productId: string): Environment {
  const env = environmentOf(s, environmentId);
  if (env.productId !== null && env.productId !== productId) throw new ValidationError(`environment ${env.name} belongs to another product`, [{ path: 'environmentId', message: 'mismatch' }]);
  return env;
}

/** Where a permission is asked: a team id, null (global), or an object whose team it is. */
export type Scope = string | null | { productId: string } | { versionId: string } | { releaseId: string } | { requestId: string };

/** The team a scope stands for; NotFoundError when the object named does not exist. */
export function scopeTeam(s: AccountState, scope: Scope): string | null {
  if (scope === null || typeof scope === 'string') return scope;
  if ('requestId' in scope) return must(own(s.requests, scope.requestId), 'access request', scope.requestId).teamId;
  const productId = 'productId' in scope ? scope.productId : 'versionId' in scope ? versionOf(s, scope.versionId).productId : releaseOf(s, scope.releaseId).productId;
  return productOf(s, productId).teamId;
}

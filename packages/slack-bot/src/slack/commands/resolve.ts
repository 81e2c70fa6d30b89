import type { Account, RoleDefinition } from '@gatehouse/core';
import { GatehouseError, NotFoundError } from '@gatehouse/core';
import { ensureUserFromSlack } from '../users.js';
import type { Token } from '../parse.js';
import { joinTokens, wordAt } from '../parse.js';
import type { CommandContext } from './types.js';

/** Name lookups for command arguments: roles, teams, groups, versions and mentioned users. */

const norm = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * The longest run of words starting at `from` that names a role (by id or name, any case,
 * spaces/hyphens/underscores alike): `release manager`, `release_manager`, `"QA Lead"`.
 */
export function matchRole(account: Account, tokens: readonly Token[], from: number): { role: RoleDefinition; next: number } | null {
  const roles = account.listRoles();
  for (let end = tokens.length; end > from; end--) {
    const slice = tokens.slice(from, end);
    if (slice.some((t) => t.kind !== 'word')) continue;
    const wanted = norm(joinTokens(slice));
    const role = roles.find((r) => norm(r.id) === wanted || norm(r.name) === wanted);
    if (role) return { role, next: end };
  }
  return null;
}

/** As matchRole, refusing with not_found (explained to the user) when nothing matches. */
export function requireRole(account: Account, tokens: readonly Token[], from: number): { role: RoleDefinition; next: number } {
  const m = matchRole(account, tokens, from);
  if (m) return m;
  throw new NotFoundError('role', wordAt(tokens, from) ?? '?');
}

export function findTeam(account: Account, word: string): string | null {
  const teams = Object.values(account.view.teams);
  const w = norm(word);
  return teams.find((t) => norm(t.id) === w || norm(t.name) === w)?.id ?? null;
}

export function requireTeam(account: Account, word: string): string {
  const id = findTeam(account, word);
  if (!id) throw new NotFoundError('team', word);
  return id;
}

export function requireGroup(account: Account, word: string): string {
  const w = norm(word);
  const g = Object.values(account.view.groups).find((x) => norm(x.id) === w || norm(x.name) === w);
  if (!g) throw new NotFoundError('group', word);
  return g.id;
}

/** `<version id>` or `<product> <version string>`. */
export function requireVersion(account: Account, tokens: readonly Token[], from: number): { versionId: string; next: number } {
  const first = wordAt(tokens, from);
  if (!first) throw new GatehouseError('validation_failed', 'name the version', { issues: [{ path: 'version', message: 'give a version id, or a product and a version string' }] });
  if (account.view.versions[first]) return { versionId: first, next: from + 1 };
  const second = wordAt(tokens, from + 1);
  const p = norm(first);
  const product = Object.values(account.view.products).find((x) => norm(x.id) === p || norm(x.name) === p);
  if (product && second) {
    const v = Object.values(account.view.versions).find((x) => x.productId === product.id && x.version === second);
    if (v) return { versionId: v.id, next: from + 2 };
    throw new NotFoundError('version', `${product.name} ${second}`);
  }
  throw new NotFoundError('version', first);
}

/** Makes sure a mentioned user exists in the account (looked up in Slack when new). */
export async function ensureMentioned(ctx: CommandContext, token: Token | undefined): Promise<string> {
  if (token?.kind !== 'user') throw new GatehouseError('validation_failed', 'mention the user', { issues: [{ path: 'user', message: 'mention the user as @name' }] });
  await ensureUserFromSlack(ctx.client, ctx.session.account, token.id, token.name);
  return token.id;
}

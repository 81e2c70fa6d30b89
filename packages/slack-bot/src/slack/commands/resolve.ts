import type { Account, Environment, Product, Release, RoleDefinition } from '@gatehouse/core';
import { GatehouseError, NotFoundError } from '@gatehouse/core';
import { ensureUserFromSlack } from '../users.js';
import type { Token } from '../parse.js';
import { joinTokens, wordAt } from '../parse.js';
import type { CommandContext } from './types.js';
import { own } from '../../rest/lookup.js';

/** Name lookups for command arguments: roles, teams, groups, products, environments, releases, versions, users and channels. */

const norm = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * The longest run of words starting at `from` that names a role (by id or name, any case,
 * spaces/hyphens/underscores alike): `release manager`, `release_manager`, `"QA Lead"`.
 * Linear in the text: the roles' names are looked up in a map, and the run stops growing once
 * it is longer than every name (at most 80 characters), so `holders a a a …` does not re-join
 * every run of words.
 */
export function matchRole(account: Account, tokens: readonly Token[], from: number): { role: RoleDefinition; next: number } | null {
  const byName = new Map<string, RoleDefinition>();
  // In list order, ids before names, the first one kept: who wins when two roles share a name.
  for (const r of account.listRoles()) {
    for (const key of [norm(r.id), norm(r.name)]) if (!byName.has(key)) byName.set(key, r);
  }
  const longest = Math.max(0, ...[...byName.keys()].map((k) => k.length));
  let found: { role: RoleDefinition; next: number } | null = null;
  let text: string | null = null;
  for (let end = from; end < tokens.length; end++) {
    const t = tokens[end];
    if (t?.kind !== 'word') break;
    text = text === null ? t.text : `${text} ${t.text}`;
    // Appending words never makes the normalised text shorter: past the longest name, nothing matches.
    const wanted = norm(text);
    if (wanted.length > longest) break;
    const role = byName.get(wanted);
    if (role) found = { role, next: end + 1 };
  }
  return found;
}

/** As matchRole, refusing with not_found (explained to the user) when nothing matches. */
export function requireRole(account: Account, tokens: readonly Token[], from: number): { role: RoleDefinition; next: number } {
  const m = matchRole(account, tokens, from);
  if (m) return m;
  throw new NotFoundError('role', wordAt(tokens, from) ?? '?');
}

/** The item whose id or name is `word` (any case; spaces, hyphens and underscores alike). */
function findNamed<T extends { id: string; name: string }>(items: Record<string, T>, word: string): T | null {
  const w = norm(word);
  return Object.values(items).find((x) => norm(x.id) === w || norm(x.name) === w) ?? null;
}

export function findTeam(account: Account, word: string): string | null {
  return findNamed(account.view.teams, word)?.id ?? null;
}

export function requireTeam(account: Account, word: string): string {
  const id = findTeam(account, word);
  if (!id) throw new NotFoundError('team', word);
  return id;
}

export function requireGroup(account: Account, word: string): string {
  const g = findNamed(account.view.groups, word);
  if (!g) throw new NotFoundError('group', word);
  return g.id;
}

export function requireProduct(account: Account, word: string | null): Product {
  const p = word === null ? null : findNamed(account.view.products, word);
  if (!p) throw new NotFoundError('product', word ?? '?');
  return p;
}

export function requireEnvironment(account: Account, word: string | null): Environment {
  const e = word === null ? null : findNamed(account.view.environments, word);
  if (!e) throw new NotFoundError('environment', word ?? '?');
  return e;
}

/**
 * A release from `from` on: its id, its name (when only one release has it), or a product then
 * the release's name. Names may be several words (the rest of the tokens).
 */
export function requireRelease(account: Account, tokens: readonly Token[], from: number, words = tokens.length - from): Release {
  const slice = tokens.slice(from, from + words);
  const first = wordAt(slice, 0);
  if (!first) throw new GatehouseError('validation_failed', 'give the release id or name (`releases` lists them)', { issues: [{ path: 'release', message: 'missing' }] });
  const releases = Object.values(account.view.releases);
  const byId = releases.find((r) => r.id === first);
  if (byId && slice.length === 1) return byId;
  const named = (list: readonly Release[], name: string) => list.filter((r) => norm(r.name) === norm(name));
  const all = named(releases, joinTokens(slice));
  if (all.length === 1 && all[0]) return all[0];
  const product = slice.length > 1 ? findNamed(account.view.products, first) : null;
  const inProduct = product ? named(releases.filter((r) => r.productId === product.id), joinTokens(slice.slice(1))) : [];
  if (inProduct.length === 1 && inProduct[0]) return inProduct[0];
  if (all.length > 1) {
    const where = all.map((r) => `${own(account.view.products, r.productId)?.name ?? r.productId} (${r.id})`).join(', ');
    throw new GatehouseError('validation_failed', `several products have a release named ${joinTokens(slice)}: ${where}; put the product first or use the id`, { issues: [{ path: 'release', message: 'ambiguous' }] });
  }
  throw new NotFoundError('release', joinTokens(slice));
}

/** `<version id>` or `<product> <version string>`. */
export function requireVersion(account: Account, tokens: readonly Token[], from: number): { versionId: string; next: number } {
  const first = wordAt(tokens, from);
  if (!first) throw new GatehouseError('validation_failed', 'give a version id, or a product and a version string', { issues: [{ path: 'version', message: 'missing' }] });
  if (own(account.view.versions, first)) return { versionId: first, next: from + 1 };
  const second = wordAt(tokens, from + 1);
  const product = findNamed(account.view.products, first);
  if (product && second) {
    const v = Object.values(account.view.versions).find((x) => x.productId === product.id && x.version === second);
    if (v) return { versionId: v.id, next: from + 2 };
    throw new NotFoundError('version', `${product.name} ${second}`);
  }
  throw new NotFoundError('version', first);
}

/**
 * A channel argument: `#channel` (as Slack escapes it), `none` (null), or undefined when the
 * token is neither. A bare channel id (`C0123…`) is taken as is.
 */
export function channelArg(token: Token | undefined): string | null | undefined {
  if (token?.kind === 'channel') return token.id;
  if (token?.kind !== 'word') return undefined;
  if (token.text.toLowerCase() === 'none') return null;
  return /^[CG][A-Z0-9]{6,}$/.test(token.text) ? token.text : undefined;
}

/** Makes sure a mentioned user exists in the account (looked up in Slack when new). */
export async function ensureMentioned(ctx: CommandContext, token: Token | undefined): Promise<string> {
  if (token?.kind !== 'user') throw new GatehouseError('validation_failed', 'mention the user as @name', { issues: [{ path: 'user', message: 'missing' }] });
  await ensureUserFromSlack(ctx.client, ctx.session.account, token.id, token.name);
  return token.id;
}

/**
 * A user named by mention, or by id or name for those without a Slack mention (service
 * accounts). Only users the account knows; NotFoundError otherwise.
 */
export function requireUserRef(account: Account, token: Token | undefined): string {
  if (token?.kind === 'user') {
    if (!Object.hasOwn(account.view.users, token.id)) throw new NotFoundError('user', token.name ?? token.id);
    return token.id;
  }
  const word = token?.kind === 'word' ? token.text : null;
  const u = word === null ? null : findNamed(account.view.users, word);
  if (!u) throw new NotFoundError('user', word ?? '?');
  return u.id;
}

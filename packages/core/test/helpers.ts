import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Account, Actor, GatehouseError } from '../src/index.js';
import { FakeClock, Gatehouse, SequentialIds } from '../src/index.js';

export const ADMIN = 'UADMIN';

/** A fresh in-memory Gatehouse with one account whose only Admin is ADMIN. */
export async function setup(opts: { users?: Record<string, string | null> } = {}) {
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const gh = await Gatehouse.open({ url: 'memory', clock, ids });
  const account = await gh.createAccount('T1', { name: 'Acme', admins: [{ userId: ADMIN, name: 'Ada Admin' }] });
  const admin: Actor = { userId: ADMIN };
  // users: id -> static role granted globally (null = only the default role)
  for (const [userId, roleId] of Object.entries(opts.users ?? {})) {
    await account.ensureUser({ userId, name: userId });
    if (roleId) await account.assignRole(admin, { subject: { type: 'user', id: userId }, roleId });
  }
  return { gh, account, clock, ids, admin, as: (userId: string): Actor => ({ userId }) };
}

/** Adds a team, a product in it, a production environment and a rule. */
export async function delivery(account: Account, admin: Actor, rule: { requirements?: { type: 'qa' | 'security' | 'compliance' | 'product' | 'operational' | 'release'; quorum: number }[]; requireReleaseApproval?: boolean; separationOfDuties?: boolean } = {}) {
  await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
  const product = await account.createProduct(admin, { productId: 'checkout', name: 'Checkout', teamId: 'payments' });
  const prod = await account.createEnvironment(admin, { environmentId: 'production', name: 'production', production: true });
  const staging = await account.createEnvironment(admin, { environmentId: 'staging', name: 'staging' });
  const r = await account.createRule(admin, { environmentId: 'production', requirements: rule.requirements ?? [{ type: 'qa', quorum: 1 }], requireReleaseApproval: rule.requireReleaseApproval ?? false, separationOfDuties: rule.separationOfDuties ?? true });
  return { product, prod, staging, rule: r };
}

/** Asserts the promise rejects with a GatehouseError of the given code and returns it. */
export async function refused(p: Promise<unknown>, code: string): Promise<GatehouseError> {
  try {
    await p;
  } catch (e) {
    const err = e as GatehouseError;
    assert.equal(err.code, code, `expected ${code}, got ${String(err.code)}: ${err.message}`);
    return err;
  }
  assert.fail(`expected refusal ${code}, but it was allowed`);
}

/** Every module the compiled file imports, transitively (relative imports followed, bare ones collected). */
export function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.includes(f)) continue;
    files.push(f);
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) todo.push(resolve(dirname(f), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

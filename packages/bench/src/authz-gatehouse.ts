import type { Actor, Commit, EventBody, Grant, LogStore, RoleAssignment } from '@gatehouse/core';
import { FakeClock, Gatehouse, SequentialIds } from '@gatehouse/core';
import type { Chain } from './log-writer.js';
import { appendCommits, sealCommit } from './log-writer.js';
import type { WorldPlan } from './authz-workload.js';

export const ACCOUNT = 'TBENCH';
export const ADMIN: Actor = { userId: 'UADMIN' };
/** Never snapshot on our behalf: the benchmark decides when a snapshot exists. */
export const NO_AUTO_SNAPSHOT = 1_000_000_000;

export interface GatehouseWorld {
  readonly store: LogStore;
  readonly clock: FakeClock;
  /** Plan role key → Gatehouse role id (static ids map to themselves). */
  readonly roleIds: ReadonlyMap<string, string>;
  readonly commits: number;
  readonly events: number;
}

/** Role assignments sorted as the core sorts them in role-change events. */
function assignments(grants: readonly Grant[]): RoleAssignment[] {
  return grants
    .map((g) => ({ roleId: g.roleId, teamId: g.teamId, expiresAt: g.expiresAt, via: null }))
    .sort((a, b) => `${a.teamId ?? ''}/${a.roleId}/`.localeCompare(`${b.teamId ?? ''}/${b.roleId}/`));
}

/**
 * Builds the plan's account on a memory store. Account, teams and custom roles go through the
 * Account API; each user is then one sealed commit (`user.added` and their `grant.created`
 * events, as an Admin's onboarding would log them), appended through the store. Nothing is
 * loaded yet: the caller times loading it back.
 */
export async function buildGatehouseWorld(plan: WorldPlan): Promise<GatehouseWorld> {
  const clock = new FakeClock();
  const gh = await Gatehouse.open({ url: 'memory', clock, ids: new SequentialIds(), snapshotEvery: NO_AUTO_SNAPSHOT, watchMs: null });
  const account = await gh.createAccount(ACCOUNT, { name: 'Benchmark Inc.', admins: [{ userId: ADMIN.userId, name: 'Bench Admin' }] });
  for (const [i, t] of plan.teams.entries()) await account.createTeam(ADMIN, { teamId: t, name: `Team ${String(i + 1)}` });
  const roleIds = new Map<string, string>();
  for (const r of plan.roles.values()) {
    if (!r.custom) roleIds.set(r.key, r.key);
    else roleIds.set(r.key, (await account.createRole(ADMIN, { name: r.name, scope: r.scope, permissions: [...r.permissions] })).id);
  }
  const chain: Chain = { seq: account.seq, lastHash: account.view.lastHash };
  const at = clock.now();
  let grantNo = 0;
  let events = 0;
  function* userCommits(): Generator<Commit> {
    for (const u of plan.users) {
      const bodies: EventBody[] = [{ type: 'user.added', data: { user: { id: u.id, name: u.id, email: null, active: true, serviceAccount: false, createdAt: at } } }];
      const held: Grant[] = [];
      for (const g of u.grants) {
        const grant: Grant = {
          id: `grant_b${String(++grantNo)}`,
          subject: { type: 'user', id: u.id },
          roleId: roleIds.get(g.role) ?? g.role,
          teamId: g.teamId,
          expiresAt: null,
          grantedBy: ADMIN.userId,
          grantedAt: at,
          requestId: null,
        };
        const before = assignments(held);
        held.push(grant);
        bodies.push({ type: 'grant.created', data: { grant, roles: [{ userId: u.id, before, after: assignments(held) }] } });
      }
      events += bodies.length;
      yield sealCommit(chain, bodies, { actor: ADMIN.userId, at });
    }
  }
  await appendCommits(gh.store, ACCOUNT, userCommits());
  // The API part: account.created, its Admin and grant in commit 1, then one event per commit.
  return { store: gh.store, clock, roleIds, commits: chain.seq, events: events + account.seq + 2 };
}

/** Opens the world's account afresh from its store (snapshot if there is one, then the log). */
export async function openAccount(world: GatehouseWorld) {
  const gh = await Gatehouse.open({ store: world.store, clock: world.clock, snapshotEvery: NO_AUTO_SNAPSHOT, watchMs: null });
  return gh.account(ACCOUNT);
}

import type { ForcedSubject, MongoAbility, RawRuleOf } from '@casl/ability';
import { createMongoAbility, subject as caslSubject } from '@casl/ability';
import type { Account, AccountState, AuditEvent, AuthzIndex, Grant, Permission } from '@gatehouse/core';
import { PERMISSIONS, applyEvent } from '@gatehouse/core';
import type { CasbinVariant } from '@gatehouse/core/testing';
import { CASBIN_GLOBAL_DOMAIN, casbinModel } from '@gatehouse/core/testing';
import type { Enforcer } from 'casbin';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { ADMIN } from './authz-gatehouse.js';
import type { GrantPlan, Queries, WorldPlan } from './authz-workload.js';

/** A role change every peer performs the same way: grant `role` in `team`, then check `perm` there. */
export interface RoleOp {
  readonly user: string;
  /** Plan role key. */
  readonly role: string;
  readonly team: string;
  /** A permission the role gives and the user did not hold in that team before. */
  readonly perm: Permission;
}

/**
 * One implementation under test. `run` checks a range of the shared query list in a loop of its
 * own (so each peer's inner loop stays monomorphic) and returns how many were allowed.
 */
export interface Peer {
  run(from: number, to: number, out: Uint8Array | null): number;
  check(user: string, perm: Permission, team: string | null): boolean;
  grant(op: RoleOp): void | Promise<void>;
  revoke(op: RoleOp): void | Promise<void>;
}

// ---------------------------------------------------------------- Gatehouse

/** The public API: `account.can(user, permission, team)`; role changes through `assignRole` (a real commit). */
export function gatehouseAccountPeer(account: Account, q: Queries, roleIds: ReadonlyMap<string, string>): Peer {
  const { users: U, perms: P, teams: T } = q;
  const roleId = (key: string) => roleIds.get(key) ?? key;
  return {
    run(from, to, out) {
      let n = 0;
      if (out) {
        for (let i = from; i < to; i++) {
          const a = account.can(U[i] as string, P[i] as Permission, T[i]);
          out[i] = a ? 1 : 0;
          if (a) n++;
        }
      } else for (let i = from; i < to; i++) if (account.can(U[i] as string, P[i] as Permission, T[i])) n++;
      return n;
    },
    check: (u, p, t) => account.can(u, p, t),
    async grant(op) {
      await account.assignRole(ADMIN, { subject: { type: 'user', id: op.user }, roleId: roleId(op.role), teamId: op.team });
    },
    async revoke(op) {
      await account.revokeRole(ADMIN, { subject: { type: 'user', id: op.user }, roleId: roleId(op.role), teamId: op.team });
    },
  };
}

/**
 * The compiled index alone, on a private copy of the state: role changes are the in-memory part
 * of a commit (apply the event, `rebuildUser`), without validation, hashing or storage.
 */
export function gatehouseIndexPeer(index: AuthzIndex, state: AccountState, q: Queries, roleIds: ReadonlyMap<string, string>): Peer {
  const { users: U, perms: P, teams: T } = q;
  let n = 0;
  const event = (type: 'grant.created' | 'grant.revoked', grant: Grant): AuditEvent => ({
    type,
    data: { grant, roles: [] },
    id: `bench.${String(++n)}`,
    seq: state.seq + 1,
    actor: ADMIN.userId,
    keyId: null,
    at: grant.grantedAt,
    prev: state.lastHash,
    hash: state.lastHash,
  });
  const live = new Map<string, Grant>();
  const key = (op: RoleOp) => `${op.user}|${op.role}|${op.team}`;
  return {
    run(from, to, out) {
      let c = 0;
      if (out) {
        for (let i = from; i < to; i++) {
          const a = index.can(U[i] as string, P[i] as Permission, T[i]);
          out[i] = a ? 1 : 0;
          if (a) c++;
        }
      } else for (let i = from; i < to; i++) if (index.can(U[i] as string, P[i] as Permission, T[i])) c++;
      return c;
    },
    check: (u, p, t) => index.can(u, p, t),
    grant(op) {
      const grant: Grant = { id: `grant_x${String(n)}`, subject: { type: 'user', id: op.user }, roleId: roleIds.get(op.role) ?? op.role, teamId: op.team, expiresAt: null, grantedBy: ADMIN.userId, grantedAt: 0, requestId: null };
      live.set(key(op), grant);
      applyEvent(state, event('grant.created', grant));
      index.rebuildUser(op.user);
    },
    revoke(op) {
      const grant = live.get(key(op));
      if (!grant) throw new Error(`bench: no grant to revoke for ${key(op)}`);
      live.delete(key(op));
      applyEvent(state, event('grant.revoked', grant));
      index.rebuildUser(op.user);
    },
  };
}

// ---------------------------------------------------------------- bare Map.get + bit test

const BIT = new Map<string, number>(PERMISSIONS.map((p, i) => [p, i]));
const WORDS = Math.ceil(PERMISSIONS.length / 32);
const STRIDE = 1 + WORDS;

/**
 * One user's record for the limit: `[scopes, (tag, word…) × scopes]`, global first (tag 0), then
 * one scope per team (tag = team number + 1) with the global bits included. The least memory to
 * touch per check: one record read after one lookup.
 */
function bareRecord(plan: WorldPlan, grants: readonly GrantPlan[], teamTag: (t: string) => number): Uint32Array {
  const teams = [...new Set(grants.flatMap((g) => (g.teamId === null ? [] : [g.teamId])))];
  const rec = new Uint32Array(1 + (1 + teams.length) * STRIDE);
  rec[0] = 1 + teams.length;
  const set = (at: number, role: string) => {
    for (const p of plan.roles.get(role)?.closed ?? []) {
      const i = BIT.get(p) ?? 0;
      rec[at + 1 + (i >>> 5)]! |= 1 << (i & 31);
    }
  };
  for (const g of grants) if (g.teamId === null) set(1, g.role);
  teams.forEach((t, k) => {
    const at = 1 + (k + 1) * STRIDE;
    rec[at] = teamTag(t);
    for (let w = 0; w < WORDS; w++) rec[at + 1 + w] = rec[2 + w]!;
    for (const g of grants) if (g.teamId === t) set(at, g.role);
  });
  return rec;
}

/**
 * A copy of a string that is a different object. Gatehouse's and casbin's maps are keyed by
 * strings parsed from storage, never the very objects the queries hold; a peer keyed by the
 * query's own strings would win every lookup by pointer equality, which no server gets.
 */
function fresh(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** Per-user grants a peer keeps so it can recompile one user after a role change. */
function grantBook(plan: WorldPlan): Map<string, GrantPlan[]> {
  return new Map(plan.users.map((u) => [u.id, [...u.grants]]));
}
function dropGrant(list: GrantPlan[], op: RoleOp): void {
  const i = list.findIndex((g) => g.role === op.role && g.teamId === op.team);
  if (i >= 0) list.splice(i, 1);
}

/**
 * The practical limit: what any implementation must do at least — one Map.get for the user, one
 * for the team, a scan of the user's few scopes and one AND — with records packed in one typed
 * array, the permission's bit resolved ahead of time, and nothing else (no expiry, no names).
 */
export function barePeer(plan: WorldPlan, q: Queries): { peer: Peer; load: () => void; drop: () => void } {
  const { users: U, teams: T } = q;
  const bits = Int32Array.from(q.perms, (p) => BIT.get(p) ?? -1);
  const book = grantBook(plan);
  const ids = plan.users.map((u) => fresh(u.id));
  const tags = new Map<string, number>(plan.teams.map((t, i) => [fresh(t), i + 1]));
  const teamTag = (t: string) => tags.get(t) ?? 0;
  let slots = new Map<string, number>();
  let pool = new Uint32Array(0);
  let end = 0;
  const put = (user: string, rec: Uint32Array) => {
    if (end + rec.length > pool.length) {
      const bigger = new Uint32Array(Math.max(1024, (end + rec.length) * 2));
      bigger.set(pool.subarray(0, end));
      pool = bigger;
    }
    pool.set(rec, end);
    slots.set(user, end);
    end += rec.length;
  };
  const test = (u: string, i: number, t: string | null | undefined): boolean => {
    const o = slots.get(u);
    if (o === undefined) return false;
    let at = o + 2;
    const scopes = pool[o]!;
    if (scopes > 1 && t != null) {
      const tag = tags.get(t);
      if (tag !== undefined) {
        for (let s = 1, p = o + 1 + STRIDE; s < scopes; s++, p += STRIDE) {
          if (pool[p] === tag) {
            at = p + 1;
            break;
          }
        }
      }
    }
    return (pool[at + (i >>> 5)]! & (1 << (i & 31))) !== 0;
  };
  return {
    load() {
      const recs = plan.users.map((u) => bareRecord(plan, u.grants, teamTag));
      slots = new Map();
      pool = new Uint32Array(recs.reduce((n, r) => n + r.length, 0));
      end = 0;
      recs.forEach((r, i) => put(ids[i] as string, r));
    },
    drop() {
      slots = new Map();
      pool = new Uint32Array(0);
      end = 0;
    },
    peer: {
      run(from, to, out) {
        let n = 0;
        if (out) {
          for (let i = from; i < to; i++) {
            const a = test(U[i] as string, bits[i]!, T[i]);
            out[i] = a ? 1 : 0;
            if (a) n++;
          }
        } else for (let i = from; i < to; i++) if (test(U[i] as string, bits[i]!, T[i])) n++;
        return n;
      },
      check: (u, p, t) => test(u, BIT.get(p) ?? -1, t),
      grant(op) {
        const list = book.get(op.user) ?? [];
        list.push({ role: op.role, teamId: op.team });
        put(op.user, bareRecord(plan, list, teamTag));
      },
      revoke(op) {
        const list = book.get(op.user) ?? [];
        dropGrant(list, op);
        put(op.user, bareRecord(plan, list, teamTag));
      },
    },
  };
}

// ---------------------------------------------------------------- casbin

/**
 * casbin's RBAC with domains in the layout `casbinModel` describes, implications included in the
 * `g2` links. `p` per role (15 lines) instead of per role × permission (~370 lines, ≈12× slower per
 * check when tried) is the fastest faithful layout we found.
 */
function casbinPolicy(plan: WorldPlan, variant: CasbinVariant): string {
  const lines: string[] = [];
  for (const r of plan.roles.values()) {
    lines.push(`p, role:${r.key}`);
    for (const p of r.closed) lines.push(`g2, role:${r.key}, ${p}`);
  }
  for (const u of plan.users) {
    for (const g of u.grants) {
      if (g.teamId !== null) lines.push(`g, ${u.id}, role:${g.role}, ${g.teamId}`);
      else {
        lines.push(`g, ${u.id}, role:${g.role}, ${CASBIN_GLOBAL_DOMAIN}`);
        if (variant === 'domains') for (const t of plan.teams) lines.push(`g, ${u.id}, role:${g.role}, ${t}`);
      }
    }
  }
  return lines.join('\n');
}

export function casbinPeer(plan: WorldPlan, q: Queries, variant: CasbinVariant): { peer: Peer; load: () => Promise<void>; drop: () => void; policyLines: number } {
  const { users: U, perms: P } = q;
  const D = q.teams.map((t) => t ?? CASBIN_GLOBAL_DOMAIN);
  const policy = casbinPolicy(plan, variant);
  const model = casbinModel(variant);
  let e: Enforcer | null = null;
  const enforcer = (): Enforcer => {
    if (!e) throw new Error('casbin peer used before load');
    return e;
  };
  return {
    policyLines: policy.split('\n').length,
    async load() {
      e = await newEnforcer(newModelFromString(model), new StringAdapter(policy));
    },
    drop() {
      e = null;
    },
    peer: {
      run(from, to, out) {
        const en = enforcer();
        let n = 0;
        for (let i = from; i < to; i++) {
          const a = en.enforceSync(U[i], D[i], P[i]);
          if (out) out[i] = a ? 1 : 0;
          if (a) n++;
        }
        return n;
      },
      check: (u, p, t) => enforcer().enforceSync(u, t ?? CASBIN_GLOBAL_DOMAIN, p),
      async grant(op) {
        await enforcer().addGroupingPolicy(op.user, `role:${op.role}`, op.team);
      },
      async revoke(op) {
        await enforcer().removeGroupingPolicy(op.user, `role:${op.role}`, op.team);
      },
    },
  };
}

// ---------------------------------------------------------------- CASL

type Ability = MongoAbility;

/**
 * CASL reserves the action `manage` for "any action" (and `all` for any subject): with the default
 * options `deployment_rule:manage` would also allow `deployment_rule:delete`. Our registry uses
 * `manage` as an ordinary action, so the wildcards get names no permission has.
 */
const CASL_OPTIONS = { anyAction: '*any-action*', anySubjectType: '*any-subject*' };
type Rule = RawRuleOf<Ability>;

const split = (p: Permission): [resource: string, action: string] => {
  const i = p.indexOf(':');
  return [p.slice(0, i), p.slice(i + 1)];
};

/**
 * CASL as its documentation suggests: one Ability per user, rules per resource with the actions
 * the user's roles allow there; a team grant carries the condition `{ teamId }`, a global one none.
 * Checks ask about a subject object `{ teamId }` (teamId null for a global check).
 */
export function caslPeer(plan: WorldPlan, q: Queries): { peer: Peer; load: () => void; drop: () => void } {
  const { users: U } = q;
  type TeamSubject = { teamId: string | null } & ForcedSubject<string>;
  const subjects = new Map<string, TeamSubject>();
  const subjectOf = (resource: string, team: string | null) => {
    const k = `${resource}|${team ?? ''}`;
    let s = subjects.get(k);
    if (!s) subjects.set(k, (s = caslSubject(resource, { teamId: team })));
    return s;
  };
  const A = q.perms.map((p) => split(p)[1]);
  const S: TeamSubject[] = q.perms.map((p, i) => subjectOf(split(p)[0], q.teams[i] ?? null));
  const rulesOf = (grants: readonly GrantPlan[]): Rule[] => {
    const rules: Rule[] = [];
    for (const g of grants) {
      const byResource = new Map<string, string[]>();
      for (const p of plan.roles.get(g.role)?.closed ?? []) {
        const [res, act] = split(p);
        const acts = byResource.get(res);
        if (acts) acts.push(act);
        else byResource.set(res, [act]);
      }
      for (const [res, acts] of byResource) rules.push(g.teamId === null ? { action: acts, subject: res } : { action: acts, subject: res, conditions: { teamId: g.teamId } });
    }
    return rules;
  };
  const book = grantBook(plan);
  const ids = plan.users.map((u) => fresh(u.id));
  let abilities = new Map<string, Ability>();
  const can = (u: string, action: string, s: TeamSubject) => abilities.get(u)?.can(action, s) ?? false;
  return {
    drop() {
      abilities = new Map();
    },
    load() {
      abilities = new Map();
      for (const [i, u] of plan.users.entries()) abilities.set(ids[i] as string, createMongoAbility(rulesOf(u.grants), CASL_OPTIONS));
    },
    peer: {
      run(from, to, out) {
        let n = 0;
        for (let i = from; i < to; i++) {
          const a = can(U[i] as string, A[i] as string, S[i] as TeamSubject);
          if (out) out[i] = a ? 1 : 0;
          if (a) n++;
        }
        return n;
      },
      check(u, p, t) {
        const [res, act] = split(p);
        return can(u, act, subjectOf(res, t));
      },
      grant(op) {
        const list = book.get(op.user) ?? [];
        list.push({ role: op.role, teamId: op.team });
        abilities.get(op.user)?.update(rulesOf(list));
      },
      revoke(op) {
        const list = book.get(op.user) ?? [];
        dropGrant(list, op);
        abilities.get(op.user)?.update(rulesOf(list));
      },
    },
  };
}

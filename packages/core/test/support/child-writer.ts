/**
 * A second (third, …) Gatehouse process for the storage tests, and the workload it writes.
 *
 * Run as `node child-writer.js <mode> <json options>`; it prints one line per fact on stdout
 * (`ready <seq>`, `committed <seq> <id>` after each acknowledged write, `done …`) and takes
 * barrier commands on stdin (`go`, `append`, `grant`, `revoke`). When stdin closes (the parent
 * died) it exits, so no writer outlives its test.
 *
 * Imported by the tests for `spawnWriter` and for the representative world they also write in-process.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Account, Actor, Commit, Evaluation, LogStore, Permission, RoleAssignment, RoleDefinition, Snapshot } from '../../src/index.js';
import { Gatehouse, GatehouseError, PERMISSIONS, SYSTEM, openStore } from '../../src/index.js';

// ---------------------------------------------------------------- the representative world

export const ADMIN = 'UADMIN';
export const USERS = ['UADMIN', 'UADMIN2', 'UDEV', 'UQA1', 'UQA2', 'USEC', 'UPM', 'UTEMP', 'UGRP1', 'UGRP2', 'ULEFT'] as const;

export interface World {
  account: Account;
  admin: Actor;
  versionId: string;
  /** Secrets of an API key (admin) and a personal token (UDEV). */
  secrets: { apiKey: string; token: string };
  keyIds: { apiKey: string; token: string };
}

/**
 * One of everything the log can hold: account, users, a custom role, direct, group and
 * time-bound grants, an access request turned grant, a revoked grant, a deactivated user,
 * team, product, environments, a rule, a version with approvals and a rejection, a release
 * with its approval, an API key and a token.
 */
export async function buildWorld(gh: Gatehouse, accountId: string): Promise<World> {
  const admin: Actor = { userId: ADMIN };
  const as = (userId: string): Actor => ({ userId });
  const account = await gh.createAccount(accountId, { name: 'Acme', admins: [{ userId: ADMIN, name: 'Ada Admin' }, { userId: 'UADMIN2' }] });
  for (const userId of USERS.slice(2)) await account.ensureUser({ userId, name: userId.toLowerCase() });
  await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
  const deployer = await account.createRole(admin, { name: 'Deployer', scope: 'team', permissions: ['deployment:create', 'version:create'] });
  await account.createGroup(admin, { groupId: 'qa-guild', name: 'QA guild', members: ['UGRP1', 'UGRP2'] });
  await account.assignRole(admin, { subject: { type: 'group', id: 'qa-guild' }, roleId: 'qa', teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: deployer.id, teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'developer', teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UQA1' }, roleId: 'qa', teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'USEC' }, roleId: 'security' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UPM' }, roleId: 'product', teamId: 'payments' });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UTEMP' }, roleId: 'release_manager', durationMs: 2 * 3_600_000 });
  await account.assignRole(admin, { subject: { type: 'user', id: 'UPM' }, roleId: 'viewer' });
  await account.revokeRole(admin, { subject: { type: 'user', id: 'UPM' }, roleId: 'viewer' });
  await account.deactivateUser(admin, { userId: 'ULEFT' });
  await account.createProduct(admin, { productId: 'checkout', name: 'Checkout', teamId: 'payments' });
  await account.createEnvironment(admin, { environmentId: 'production', name: 'production', production: true });
  await account.createEnvironment(admin, { environmentId: 'staging', name: 'staging' });
  await account.createRule(admin, {
    environmentId: 'production',
    requirements: [
      { type: 'qa', quorum: 2 },
      { type: 'security', quorum: 1 },
    ],
    requireReleaseApproval: true,
  });
  const { version } = await account.createVersion(as('UDEV'), { productId: 'checkout', version: '2.0.0' });
  await account.requestApproval(as('UDEV'), { versionId: version.id, environmentId: 'production' });
  await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
  await account.decideVersion(as('UGRP1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
  await account.decideVersion(as('USEC'), { versionId: version.id, approvalType: 'security', decision: 'reject', reason: 'pen test pending' });
  const release = await account.createRelease(as('UPM'), { productId: 'checkout', name: 'Spring' });
  await account.addToRelease(as('UDEV'), { releaseId: release.id, versionId: version.id });
  await account.decideRelease(as('UPM'), { releaseId: release.id, decision: 'approve' });
  const request = await account.requestAccess(as('UQA2'), { roleId: 'qa', teamId: 'payments', durationMs: 3_600_000, reason: 'cover for UQA1' });
  await account.decideAccessRequest(admin, { requestId: request.id, approve: true });
  const apiKey = await gh.createKey(account, admin, { name: 'ci' });
  const token = await gh.createKey(account, as('UDEV'), { name: 'laptop', kind: 'personal_token' });
  return { account, admin, versionId: version.id, secrets: { apiKey: apiKey.secret, token: token.secret }, keyIds: { apiKey: apiKey.key.id, token: token.key.id } };
}

export interface Observation {
  seq: number;
  admins: string[];
  roles: Record<string, RoleAssignment[]>;
  /** For each user and scope, the permissions `can()` allows, in registry order. */
  can: Record<string, Permission[]>;
  evaluations: Evaluation[];
  listRoles: RoleDefinition[];
  pendingRequests: number;
  keys: { id: string; ownerId: string; revokedAt: number | null }[];
}

/** Everything a caller can ask an account, as plain data to compare across reopenings. */
export function observe(account: Account, versionId: string): Observation {
  const can: Record<string, Permission[]> = {};
  for (const u of [...Object.keys(account.view.users), 'UNOBODY'].sort()) {
    for (const team of [null, 'payments', 'general']) can[`${u}@${team ?? '*'}`] = PERMISSIONS.filter((p) => account.can(u, p, team));
  }
  return {
    seq: account.seq,
    admins: account.admins().sort(),
    roles: Object.fromEntries(Object.keys(account.view.users).sort().map((u) => [u, account.roles(u)])),
    can,
    evaluations: ['production', 'staging'].map((environmentId) => account.evaluate({ versionId, environmentId })),
    listRoles: account.listRoles(),
    pendingRequests: account.pendingAccessRequests().length,
    keys: account.listKeys(SYSTEM).map((k) => ({ id: k.id, ownerId: k.ownerId, revokedAt: k.revokedAt })),
  };
}

/** The state as plain JSON (key order aside, which zod may change when reading a snapshot). */
export function stateJson(account: Account): unknown {
  return JSON.parse(JSON.stringify(account.view)) as unknown;
}

/**
 * buildWorld, and what a test compares after reopening: everything observable and the raw state.
 * Given the `snapshotEvery` the Gatehouse was opened with, the log is left ending after its last
 * snapshot, so that a reopen loads the snapshot and still has commits to replay.
 */
export async function recordedWorld(gh: Gatehouse, accountId: string, opts: { snapshotEvery?: number } = {}): Promise<{ w: World; before: Observation; json: unknown }> {
  const w = await buildWorld(gh, accountId);
  if (opts.snapshotEvery !== undefined && w.account.seq % opts.snapshotEvery === 0) await w.account.ensureUser({ userId: 'ULATE' });
  return { w, before: observe(w.account, w.versionId), json: stateJson(w.account) };
}

// ---------------------------------------------------------------- the parent's side

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<Writer>();

/** A running child-writer: its stdout lines, a way to wait for them, and its stdin. */
export class Writer {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  private stderr = '';
  private partial = '';
  private exit: Exit | null = null;
  private cursor = 0;
  private readonly wake = new Set<() => void>();

  constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    running.add(this);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      // Only complete lines count: a line is printed after its write was acknowledged.
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-8000)));
    child.stdin?.on('error', () => undefined); // writing to a child that was just killed
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private notify(): void {
    for (const w of this.wake) w();
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Waits until `pick` returns a value (re-checked on every line), failing on timeout or exit. */
  async until<T>(pick: (lines: readonly string[]) => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    const found = pick(this.lines);
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = pick(this.lines);
        if (v !== undefined) finish(() => resolve(v));
        else if (this.exit) finish(() => reject(this.failure(`exited (${this.exit?.code ?? this.exit?.signal}) before ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(this.failure(`no ${what} within ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.wake.delete(check);
        settle();
      };
      this.wake.add(check);
    });
  }

  /** The next line starting with `prefix` after the one the previous call returned. */
  async line(prefix: string, timeoutMs?: number): Promise<string> {
    const index = await this.until(
      (ls) => {
        const i = ls.findIndex((l, n) => n >= this.cursor && l.startsWith(prefix));
        return i < 0 ? undefined : i;
      },
      `'${prefix}' line`,
      timeoutMs,
    );
    this.cursor = index + 1;
    return this.lines[index] ?? '';
  }

  /** `committed <seq> <id>` lines so far. */
  committed(): { seq: number; id: string }[] {
    return this.lines.flatMap((l) => {
      const m = /^committed (\d+) (\S+)$/.exec(l);
      return m ? [{ seq: Number(m[1]), id: m[2] ?? '' }] : [];
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exit) this.child.kill(signal);
  }

  private failure(msg: string): Error {
    return new Error(`child-writer ${this.label}: ${msg}\nstdout:\n${this.lines.slice(-20).join('\n')}\nstderr:\n${this.stderr}`);
  }
}

/** Starts `node child-writer.js <mode> <options>` (the compiled file next to this one). */
export function spawnWriter(label: string, options: WriterOptions): Writer {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Writer(label, child);
}

/** SIGKILLs every writer still running (tests call this in `after`/`afterEach`, pass or fail). */
export async function killWriters(): Promise<void> {
  const all = [...running];
  for (const w of all) w.kill('SIGKILL');
  await Promise.all(all.map((w) => Promise.race([w.exited, new Promise((resolve) => setTimeout(resolve, 5_000))])));
}

// ---------------------------------------------------------------- the child's side

const Common = { url: z.string(), namespace: z.string().optional() };
const OptionsSchema = z.discriminatedUnion('mode', [
  /** Writes until killed (or stdin closes, `max` writes, `maxMs`); one `committed` line per acknowledged write. */
  z.object({ mode: z.literal('burst'), ...Common, accountId: z.string(), snapshotEvery: z.number().int().positive(), max: z.number().int().positive(), maxMs: z.number().int().positive() }),
  /**
   * Rounds of the last-admin race, one account each: `round <accountId> hold|free` loads it
   * (`ready <seq>`), `go` makes `actor` revoke `target`'s Admin grant; with `hold` the first
   * append of the round waits for `append` (`appending <seq>`). Ends on `quit`.
   */
  z.object({ mode: z.literal('race'), ...Common, actor: z.string(), target: z.string() }),
  /** Waits for `go`, then every approver approves `versionId` (qa) at once; with `hold`, the first append waits for `append`. */
  z.object({ mode: z.literal('approve'), ...Common, accountId: z.string(), versionId: z.string(), approvers: z.array(z.string()), hold: z.boolean() }),
  /** On each `grant` / `revoke` line, `actor` grants or revokes `roleId` in `teamId` for `userId`. Ends on `quit`. */
  z.object({ mode: z.literal('toggle'), ...Common, accountId: z.string(), actor: z.string(), userId: z.string(), roleId: z.string(), teamId: z.string() }),
]);
export type WriterOptions = z.input<typeof OptionsSchema>;
type Opts<M extends WriterOptions['mode']> = Extract<z.output<typeof OptionsSchema>, { mode: M }>;

function say(line: string): void {
  // Synchronous for pipes on Linux: once this returns the parent can read the line, even after SIGKILL.
  process.stdout.write(`${line}\n`);
}

/** stdin as a queue of commands; the process ends when the parent goes away (stdin closes). */
class Commands {
  private readonly queue: string[] = [];
  private wake: (() => void) | null = null;
  constructor() {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (l) => {
      this.queue.push(l.trim());
      this.wake?.();
    });
    rl.on('close', () => process.exit(3));
  }
  async next(): Promise<string> {
    for (;;) {
      const line = this.queue.shift();
      if (line !== undefined) return line;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
  async expect(expected: string): Promise<void> {
    const line = await this.next();
    if (line !== expected) throw new Error(`expected '${expected}' on stdin, got '${line}'`);
  }
}

/** The store with its appends counted, and (while `hold` is set) a barrier before the next append. */
function instrument(store: LogStore, commands: Commands) {
  const stats = { lost: 0, hold: false, won: new Map<string, number>() };
  const wrapped: LogStore = {
    kind: store.kind,
    readCommits: (a: string, after: number) => store.readCommits(a, after),
    tryAppend: async (a: string, commit: Commit) => {
      if (stats.hold) {
        stats.hold = false;
        say(`appending ${commit.seq}`);
        await commands.expect('append');
      }
      const ok = await store.tryAppend(a, commit);
      if (ok) stats.won.set(commit.events[0]?.actor ?? '', commit.seq);
      else stats.lost++;
      return ok;
    },
    loadSnapshot: (a: string) => store.loadSnapshot(a),
    saveSnapshot: (a: string, s: Snapshot) => store.saveSnapshot(a, s),
    getMeta: (k, schema) => store.getMeta(k, schema),
    setMeta: (k: string, v: unknown) => store.setMeta(k, v),
    close: () => store.close(),
  };
  return { store: wrapped, stats };
}

async function burst(o: Opts<'burst'>): Promise<void> {
  new Commands(); // only to exit when the parent goes away
  const gh = await Gatehouse.open({ url: o.url, namespace: o.namespace, snapshotEvery: o.snapshotEvery, watchMs: null });
  const { account } = await buildWorld(gh, o.accountId);
  say(`ready ${account.seq}`);
  const admin: Actor = { userId: ADMIN };
  const deadline = Date.now() + o.maxMs;
  let versionId = '';
  for (let i = 0; i < o.max && Date.now() < deadline; i++) {
    const k = Math.floor(i / 6);
    let id: string;
    switch (i % 6) {
      case 0:
        id = (await account.ensureUser({ userId: `BU${k}`, name: `burst user ${k}` })).id;
        break;
      case 1:
        id = (await account.createTeam(admin, { teamId: `bt${k}`, name: `Team ${k}` })).teamId;
        break;
      case 2:
        id = (await account.createProduct(admin, { productId: `bp${k}`, name: `Product ${k}`, teamId: `bt${k}` })).id;
        break;
      case 3: {
        const r = await account.assignRole(admin, { subject: { type: 'user', id: `BU${k}` }, roleId: 'qa', teamId: `bt${k}`, durationMs: k % 2 ? 86_400_000 : undefined });
        id = r.grant?.id ?? 'none';
        break;
      }
      case 4:
        versionId = (await account.createVersion(admin, { productId: `bp${k}`, version: `1.0.${k}` })).version.id;
        id = versionId;
        break;
      default:
        await account.decideVersion({ userId: `BU${k}` }, { versionId, approvalType: 'qa', decision: 'approve' });
        id = `BU${k}`;
    }
    // Single writer, no watcher: the account's seq is the seq of the commit just acknowledged.
    say(`committed ${account.seq} ${id}`);
  }
  await gh.close();
  say('done');
}

async function race(o: Opts<'race'>): Promise<void> {
  const commands = new Commands();
  const { store, stats } = instrument(await openStore({ url: o.url, namespace: o.namespace }), commands);
  const gh = await Gatehouse.open({ store, watchMs: null });
  for (let round = 0; round < 1000; round++) {
    const cmd = await commands.next();
    if (cmd === 'quit') break;
    const [verb, accountId, mode] = cmd.split(' ');
    if (verb !== 'round' || !accountId) throw new Error(`expected 'round <accountId> hold|free', got '${cmd}'`);
    const account = await gh.account(accountId);
    stats.lost = 0;
    say(`ready ${account.seq}`);
    await commands.expect('go');
    stats.hold = mode === 'hold';
    try {
      await account.revokeRole({ userId: o.actor }, { subject: { type: 'user', id: o.target }, roleId: 'admin' });
      say(`done ok ${account.seq} lost=${stats.lost}`);
    } catch (err) {
      if (!(err instanceof GatehouseError)) throw err;
      say(`done refused ${err.code} lost=${stats.lost}`);
    }
    stats.hold = false;
  }
  await gh.close();
}

async function approve(o: Opts<'approve'>): Promise<void> {
  const commands = new Commands();
  const { store, stats } = instrument(await openStore({ url: o.url, namespace: o.namespace }), commands);
  const gh = await Gatehouse.open({ store, watchMs: null });
  const account = await gh.account(o.accountId);
  say(`ready ${account.seq}`);
  await commands.expect('go');
  stats.hold = o.hold;
  await Promise.all(
    o.approvers.map(async (userId) => {
      const r = await account.decideVersion({ userId }, { versionId: o.versionId, approvalType: 'qa', decision: 'approve' });
      if (!r.changed) throw new Error(`${userId}'s approval changed nothing`);
      say(`committed ${stats.won.get(userId) ?? -1} ${userId}`);
    }),
  );
  say(`done lost=${stats.lost}`);
  await gh.close();
}

async function toggle(o: Opts<'toggle'>): Promise<void> {
  const commands = new Commands();
  const gh = await Gatehouse.open({ url: o.url, namespace: o.namespace, watchMs: null });
  const account = await gh.account(o.accountId);
  say(`ready ${account.seq}`);
  const actor: Actor = { userId: o.actor };
  const subject = { type: 'user' as const, id: o.userId };
  for (let n = 0; n < 1000; n++) {
    const cmd = await commands.next();
    if (cmd === 'quit') break;
    if (cmd !== 'grant' && cmd !== 'revoke') throw new Error(`expected grant, revoke or quit, got '${cmd}'`);
    const r =
      cmd === 'grant'
        ? await account.assignRole(actor, { subject, roleId: o.roleId, teamId: o.teamId })
        : await account.revokeRole(actor, { subject, roleId: o.roleId, teamId: o.teamId });
    say(`committed ${account.seq} ${r.grant?.id ?? 'none'}`);
  }
  await gh.close();
}

async function main(): Promise<void> {
  const o = OptionsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  switch (o.mode) {
    case 'burst':
      return burst(o);
    case 'race':
      return race(o);
    case 'approve':
      return approve(o);
    case 'toggle':
      return toggle(o);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`child-writer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

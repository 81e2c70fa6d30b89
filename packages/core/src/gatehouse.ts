import { z } from 'zod';
import type { CommitListener } from './account.js';
import { Account } from './account.js';
import type { Clock, IdSource, Logger } from './context.js';
import { randomIds, silentLogger, systemClock } from './context.js';
import { GatehouseError, NotFoundError } from './errors.js';
import type { ApiKey } from './schemas.js';
import { IdSchema } from './schemas.js';
import type { AccountContext } from './kernel/commit-loop.js';
import type { Actor } from './kernel/decider.js';
import type { LogStore } from './store/log-store.js';
import type { StoreOptions } from './store/open.js';
import { openStore } from './store/open.js';

export interface GatehouseOptions extends StoreOptions {
  /** An already opened store (tests); otherwise one is opened from `url`. */
  store?: LogStore;
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  snapshotEvery?: number;
  /** Poll other processes' commits this often (ms). Defaults: Redis 250, SQLite and PostgreSQL (notified at once, polled as a fallback) 1000, memory off. */
  watchMs?: number | null;
}

/** A verified API key or token and the account it belongs to. */
export interface Principal {
  account: Account;
  actor: Actor;
  key: ApiKey;
}

const AccountList = z.array(IdSchema);
const KeyOwner = z.object({ accountId: IdSchema });

/** Secrets look like `ghk_<keyId>_<random>`. */
const SECRET_RE = /^ghk_([A-Za-z0-9][A-Za-z0-9_.:-]{0,63}?)_([A-Za-z0-9_-]{32})$/;

/**
 * The entry point: opens the store and hands out accounts, each loaded once and kept in memory
 * with its compiled index. Nothing here crosses accounts; a key resolves to exactly one.
 */
export class Gatehouse {
  private readonly accounts = new Map<string, Promise<Account>>();
  /**
   * The account of each key looked up or created here. A key never moves, so requests with a key
   * seen before need no round trip to the store, and are served while it is away.
   */
  private readonly keyAccounts = new Map<string, string>();
  private readonly listeners = new Set<CommitListener>();
  private readonly ctx: AccountContext;
  private readonly watchMs: number | null;

  private constructor(
    readonly store: LogStore,
    opts: GatehouseOptions,
  ) {
    this.ctx = {
      store,
      clock: opts.clock ?? systemClock,
      ids: opts.ids ?? randomIds,
      logger: opts.logger ?? silentLogger,
      snapshotEvery: opts.snapshotEvery ?? 1000,
    };
    // Redis: other instances write all the time. SQLite: the CLI may write while the server runs.
    this.watchMs = opts.watchMs === undefined ? { redis: 250, sqlite: 1000, postgres: 1000, memory: null }[store.kind] : opts.watchMs;
  }

  static async open(opts: GatehouseOptions = {}): Promise<Gatehouse> {
    const store = opts.store ?? (await openStore(opts));
    return new Gatehouse(store, opts);
  }

  get clock(): Clock {
    return this.ctx.clock;
  }

  /** The account, loaded on first use (it may not exist yet: see `exists`). */
  async account(accountId: string): Promise<Account> {
    IdSchema.parse(accountId);
    let p = this.accounts.get(accountId);
    if (!p) {
      p = Account.load(accountId, this.ctx).then((a) => {
        for (const l of this.listeners) a.onCommit(l);
        if (this.watchMs !== null) a.watch(this.watchMs);
        return a;
      });
      this.accounts.set(accountId, p);
      p.catch(() => this.accounts.delete(accountId));
    }
    return p;
  }

  /** An account that must exist. */
  async existingAccount(accountId: string): Promise<Account> {
    const a = await this.account(accountId);
    if (!a.exists) throw new NotFoundError('account', accountId);
    return a;
  }

  /** Creates an account with its first Admins (idempotent). */
  async createAccount(accountId: string, input: Parameters<Account['create']>[0]): Promise<Account> {
    const a = await this.account(accountId);
    await a.create(input);
    const known = (await this.store.getMeta('accounts', AccountList)) ?? [];
    if (!known.includes(accountId)) await this.store.setMeta('accounts', [...known, accountId]);
    return a;
  }

  async accountIds(): Promise<string[]> {
    return (await this.store.getMeta('accounts', AccountList)) ?? [];
  }

  /** Every commit of every account, as it is applied (local or replayed from another process). */
  /** Listens to the commits of every account, open now or later; returns the way to stop. */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    for (const p of this.accounts.values()) void p.then((a) => a.onCommit(listener)).catch(() => undefined);
    return () => {
      this.listeners.delete(listener);
      for (const p of this.accounts.values()) void p.then((a) => a.offCommit(listener)).catch(() => undefined);
    };
  }

  /** Creates a key and records which account it belongs to, so a bare secret can be resolved. */
  async createKey(account: Account, actor: Actor, input: Parameters<Account['createKey']>[1]) {
    const created = await account.createKey(actor, input);
    await this.store.setMeta(`key:${created.key.id}`, { accountId: account.id });
    this.keyAccounts.set(created.key.id, account.id);
    return created;
  }

  /**
   * Resolves a bearer secret to its account, key and actor. Unknown, malformed, revoked keys and
   * keys of deactivated owners all give the same `invalid_key` error. With `serves` (a server:
   * the accounts GATEHOUSE_ACCOUNT_ID names), a key of any other account is refused with
   * `invalid_key` too, saying so, before that account is loaded: a server never acts in an
   * account it does not serve, even when its store holds it.
   */
  async authenticate(secret: string, opts: { serves?: readonly string[] } = {}): Promise<Principal> {
    // Built only on failure: an Error captures a stack trace, too costly for every request.
    const invalid = () => new GatehouseError('invalid_key', 'the API key or token is not valid: create a new one (in Slack: /gatehouse keys create; on the server: npm run gatehouse -- key --user <id> --name <name>) and send it as "Authorization: Bearer <key>"');
    const m = SECRET_RE.exec(secret);
    if (!m) throw invalid();
    const keyId = m[1] ?? '';
    let accountId = this.keyAccounts.get(keyId);
    if (accountId === undefined) {
      const owner = await this.store.getMeta(`key:${keyId}`, KeyOwner);
      if (!owner) throw invalid();
      accountId = owner.accountId;
      this.keyAccounts.set(keyId, accountId);
    }
    if (opts.serves && !opts.serves.includes(accountId)) {
      // The account is not named: the secret is not checked yet (its hash is in that account's state).
      throw new GatehouseError('invalid_key', 'this key belongs to another Gatehouse account, which this server does not serve: send it to the Gatehouse server of that account, or use a key created on this one');
    }
    const account = await this.account(accountId);
    let key = account.verifyKey(keyId, secret);
    if (!key && !Object.hasOwn(account.view.keys, keyId)) {
      // Created by another process a moment ago: read its commit and try once more.
      await account.refresh();
      key = account.verifyKey(keyId, secret);
    }
    if (!key) throw invalid();
    void account.touchKey(key.id).catch((err: unknown) => this.ctx.logger.warn('key use not recorded', { err: String(err) }));
    return { account, key, actor: { userId: key.ownerId, keyId: key.id } };
  }

  /** The accounts named (loaded if need be), or every loaded one. */
  private async selected(accountIds?: readonly string[]): Promise<Account[]> {
    return Promise.all(accountIds ? accountIds.map((id) => this.account(id)) : [...this.accounts.values()]);
  }

  /** Sweeps expired grants in these accounts (a server: those it serves), or in every loaded one; how many grants expired. */
  async sweepExpired(accountIds?: readonly string[]): Promise<number> {
    let n = 0;
    for (const a of await this.selected(accountIds)) {
      if (a.exists) n += (await a.sweepExpired()).length;
    }
    return n;
  }

  /** One follow-up tick in these accounts, or every loaded one (reminders, escalations, timeouts, request expiry); how many it recorded. */
  async runFollowUps(accountIds?: readonly string[]): Promise<number> {
    let n = 0;
    for (const a of await this.selected(accountIds)) {
      if (!a.exists) continue;
      const r = await a.runFollowUps();
      n += r.reminders + r.escalations + r.timeouts + r.expiredRequests;
    }
    return n;
  }

  async close(): Promise<void> {
    for (const p of this.accounts.values()) {
      const a = await p.catch(() => null);
      a?.stopWatching();
    }
    await this.store.close();
  }
}

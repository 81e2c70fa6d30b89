import type { CanResponse, DecisionResponse, MeResponse, PendingApprovalDto } from '@gatehouse/core/contract';
import type { ApiClient, ApprovalType, Decision, Permission } from './api-client.js';
import { normalizeServerUrl } from './api-client.js';
import { GatehouseApiError, toApiError } from './errors.js';
import type { Disposable, Event } from './event.js';
import { Emitter } from './event.js';

/** The part of `vscode.SecretStorage` the model uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** The `gatehouse.serverUrl` setting. */
export interface ServerUrlSetting {
  get(): string;
  set(url: string): PromiseLike<void>;
}

export type ClientFactory = (baseUrl: string, key: string) => ApiClient;

/**
 * `loading`: signed in, nothing loaded yet; `failed`: signed in, the first load failed;
 * `ready`: data to show (stale when `error` is set).
 */
export type ModelStatus = 'signedOut' | 'loading' | 'failed' | 'ready';

/** What the views show. Immutable: every change makes a new snapshot and fires `onDidChange`. */
export interface Snapshot {
  readonly status: ModelStatus;
  /** The server the stored key belongs to (normalised), when signed in. */
  readonly serverUrl: string | null;
  readonly me: MeResponse | null;
  readonly pending: readonly PendingApprovalDto[] | null;
  /** The last refresh failed; when `me` is set it is the data of `updatedAt`. */
  readonly error: GatehouseApiError | null;
  /** When `me` was last loaded. */
  readonly updatedAt: number | null;
}

export const SIGNED_OUT: Snapshot = { status: 'signedOut', serverUrl: null, me: null, pending: null, error: null, updatedAt: null };

/** True when the views show older data because the last refresh failed. */
export function isStale(s: Snapshot): boolean {
  return s.error !== null && s.me !== null;
}

/** Secrets are kept per server, so pointing the setting at another server never sends it this key. */
export function secretKeyFor(serverUrl: string): string {
  return `gatehouse.key:${serverUrl}`;
}

export interface ModelDeps {
  readonly secrets: SecretStore;
  readonly serverUrl: ServerUrlSetting;
  readonly createClient: ClientFactory;
  readonly now?: () => number;
}

/**
 * Signs in and out, fetches who-am-I and the pending approvals, keeps the last good data when
 * the server fails (marked stale), and tells the views through `onDidChange`.
 */
export class GatehouseModel implements Disposable {
  private readonly changed = new Emitter<Snapshot>();
  readonly onDidChange: Event<Snapshot> = this.changed.event;
  private current: Snapshot = SIGNED_OUT;
  private client: ApiClient | null = null;
  /** Bumped on every sign-in/out so a load that finishes late cannot overwrite a newer session. */
  private generation = 0;
  private inflight: Promise<void> | null = null;
  /** The clock behind `updatedAt`; the trees use it too ("times out in 5 h"), so tests can fix it. */
  readonly now: () => number;

  constructor(private readonly deps: ModelDeps) {
    this.now = deps.now ?? Date.now;
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  get signedIn(): boolean {
    return this.client !== null;
  }

  /** Picks up the key stored for the configured server, and loads when there is one. */
  async restore(): Promise<void> {
    const url = normalizeServerUrl(this.deps.serverUrl.get());
    const key = url === null ? undefined : await this.deps.secrets.get(secretKeyFor(url));
    if (url !== null && this.client?.baseUrl === url) return this.refresh();
    this.generation++;
    if (url === null || !key) {
      this.client = null;
      this.set(SIGNED_OUT);
      return;
    }
    this.client = this.deps.createClient(url, key);
    this.set({ ...SIGNED_OUT, status: 'loading', serverUrl: url });
    return this.refresh();
  }

  /**
   * Verifies the key with GET /me before keeping anything: a refused key is never stored.
   * Throws a GatehouseApiError (`not_configured` for a bad URL) and leaves the model as it was.
   */
  async signIn(serverUrl: string, key: string): Promise<MeResponse> {
    const url = normalizeServerUrl(serverUrl);
    if (url === null) throw new GatehouseApiError('not_configured', `'${serverUrl}' is not an http(s) URL of a Gatehouse server`);
    const secret = key.trim();
    if (!secret) throw new GatehouseApiError('unauthorized', 'the API key or personal token is empty');
    const client = this.deps.createClient(url, secret);
    const me = await client.me();
    await this.deps.secrets.store(secretKeyFor(url), secret);
    await this.deps.serverUrl.set(url);
    this.generation++;
    this.client = client;
    this.inflight = null;
    this.set({ status: 'ready', serverUrl: url, me, pending: null, error: null, updatedAt: this.now() });
    await this.refresh();
    return me;
  }

  /** Forgets the key of the current server (from secret storage too). */
  async signOut(): Promise<void> {
    const url = this.current.serverUrl ?? normalizeServerUrl(this.deps.serverUrl.get());
    this.generation++;
    this.client = null;
    this.inflight = null;
    if (url !== null) await this.deps.secrets.delete(secretKeyFor(url));
    this.set(SIGNED_OUT);
  }

  /** Reloads both views; concurrent calls share one round trip. Never throws: failures land in `snapshot.error`. */
  refresh(): Promise<void> {
    if (!this.client) return Promise.resolve();
    if (this.inflight) return this.inflight;
    const p: Promise<void> = this.load(this.client, this.generation).finally(() => {
      if (this.inflight === p) this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  /** Records a decision, then reloads so the tree shows what is left. Throws on refusal. */
  async decide(versionId: string, approvalType: ApprovalType, decision: Decision, reason?: string): Promise<DecisionResponse> {
    const client = this.requireClient();
    const out = await client.decide(versionId, { approvalType, decision, ...(reason === undefined ? {} : { reason }) });
    // A refresh already under way may have read the list before the decision: wait for it, then reload.
    await this.inflight;
    await this.refresh();
    return out;
  }

  can(permission: Permission, teamId: string | null): Promise<CanResponse> {
    return this.requireClient().can(permission, teamId);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private requireClient(): ApiClient {
    if (!this.client) throw new GatehouseApiError('not_configured', 'sign in to Gatehouse first');
    return this.client;
  }

  private async load(client: ApiClient, generation: number): Promise<void> {
    try {
      const [me, pending] = await Promise.all([client.me(), client.pendingApprovals()]);
      if (generation !== this.generation) return;
      this.set({ status: 'ready', serverUrl: client.baseUrl, me, pending, error: null, updatedAt: this.now() });
    } catch (err) {
      if (generation !== this.generation) return;
      const prev = this.current;
      this.set({ ...prev, status: prev.me === null ? 'failed' : 'ready', serverUrl: client.baseUrl, error: toApiError(err) });
    }
  }

  private set(next: Snapshot): void {
    this.current = next;
    this.changed.fire(next);
  }
}

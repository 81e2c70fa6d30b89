import { createHmac, generateKeyPairSync, randomBytes, randomUUID, verify } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A review GitHub accepted: the run it was for, the installation whose token sent it, and the body. */
export interface RecordedCallback {
  repository: string;
  runId: number;
  installationId: number;
  body: { environment_name?: unknown; state?: unknown; comment?: unknown };
}

export interface FakeGithubOptions {
  appId?: string;
  webhookSecret?: string;
  /** Installation id → the repositories (owner/name) it was installed on. */
  installations?: Record<number, string[]>;
}

interface Token {
  installationId: number;
  expiresAt: number;
}

/**
 * A local GitHub for the App's side of deployment protection rules. It signs webhooks as GitHub does
 * (X-Hub-Signature-256: sha256=HMAC-SHA256(secret, raw body)), issues installation tokens only for
 * an RS256 JWT the app's private key signed (iss = app id, at most 10 minutes), and takes reviews at
 * POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule only with a token of
 * an installation on that repository and a valid body — answering 204 as GitHub does. `failNext`
 * makes it answer errors first, to exercise retries.
 */
export class FakeGithub {
  readonly appId: string;
  readonly webhookSecret: string;
  /** PKCS#1 PEM, as GitHub hands out App private keys. */
  readonly privateKey: string;
  private readonly publicKey: string;
  readonly callbacks: RecordedCallback[] = [];
  /** Requests the fake refused, with why: a test asserts there were none it did not expect. */
  readonly refusals: { path: string; status: number; reason: string }[] = [];
  readonly tokensIssued: { installationId: number; token: string }[] = [];
  private readonly tokens = new Map<string, Token>();
  private failures: number[] = [];
  private readonly waiters = new Set<() => void>();
  private constructor(
    private readonly server: Server,
    readonly apiUrl: string,
    opts: FakeGithubOptions,
    keys: { privateKey: string; publicKey: string },
    private readonly installations: Record<number, string[]>,
  ) {
    this.appId = opts.appId ?? '123456';
    this.webhookSecret = opts.webhookSecret ?? 'webhook-secret-for-tests';
    this.privateKey = keys.privateKey;
    this.publicKey = keys.publicKey;
  }

  static async start(opts: FakeGithubOptions = {}): Promise<FakeGithub> {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
    const started: { fake?: FakeGithub } = {};
    const server = createServer((req, res) => void started.fake?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    started.fake = new FakeGithub(server, `http://127.0.0.1:${port}`, opts, keys, opts.installations ?? { 77: ['acme/checkout'] });
    return started.fake;
  }

  /** The next `n` reviews are answered `status` (default 502) before any is accepted. */
  failNext(n: number, status = 502): void {
    this.failures.push(...Array.from({ length: n }, () => status));
  }

  /** X-Hub-Signature-256 for a body, as GitHub computes it. */
  sign(body: string, secret = this.webhookSecret): string {
    return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }

  callbackUrl(repository: string, runId: number): string {
    return `${this.apiUrl}/repos/${repository}/actions/runs/${runId}/deployment_protection_rule`;
  }

  /** POSTs a webhook delivery to `url` with GitHub's headers; `signature: null` leaves the signature out. */
  async deliver(url: string, event: string, payload: unknown, opts: { delivery?: string; secret?: string; signature?: string | null; body?: string } = {}) {
    const body = opts.body ?? JSON.stringify(payload);
    const delivery = opts.delivery ?? randomUUID();
    const signature = opts.signature === undefined ? this.sign(body, opts.secret) : opts.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/fake', 'x-github-event': event, 'x-github-delivery': delivery, 'x-github-hook-id': '1' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: tests look at the status
    }
    return { status: res.status, json, delivery, body };
  }

  /** Resolves once GitHub has accepted `n` reviews in all; fails naming what it waited for after `timeoutMs`. */
  callbacksAtLeast(n: number, timeoutMs = 5000): Promise<RecordedCallback[]> {
    if (this.callbacks.length >= n) return Promise.resolve(this.callbacks);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${n} accepted callback(s); got ${this.callbacks.length}, refused ${JSON.stringify(this.refusals)}`));
      }, timeoutMs);
      const check = () => {
        if (this.callbacks.length < n) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.callbacks);
      };
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- the API

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const refuse = (status: number, reason: string) => {
      this.refusals.push({ path, status, reason });
      send(status, { message: reason, documentation_url: 'https://docs.github.com/rest' });
    };
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      const problem = this.checkJwt(req.headers.authorization ?? '');
      if (problem) return refuse(401, problem);
      const installationId = Number(m[1]);
      if (!this.installations[installationId]) return refuse(404, `installation ${installationId} not found`);
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expiresAt = Date.now() + 3_600_000;
      this.tokens.set(token, { installationId, expiresAt });
      this.tokensIssued.push({ installationId, token });
      return send(201, { token, expires_at: new Date(expiresAt).toISOString(), permissions: { actions: 'read', deployments: 'write' }, repository_selection: 'selected' });
    }
    if (req.method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(path))) {
      const repository = `${m[1]}/${m[2]}`;
      const auth = /^(?:token|bearer) (\S+)$/i.exec(req.headers.authorization ?? '');
      const token = auth ? this.tokens.get(auth[1] ?? '') : undefined;
      if (!token || token.expiresAt < Date.now()) return refuse(401, 'Bad credentials: an installation token is required');
      if (!this.installations[token.installationId]?.some((r) => r.toLowerCase() === repository.toLowerCase())) return refuse(404, `the installation has no access to ${repository}`);
      let body: RecordedCallback['body'];
      try {
        body = JSON.parse(raw) as RecordedCallback['body'];
      } catch {
        return refuse(400, 'Problems parsing JSON');
      }
      if (typeof body.environment_name !== 'string' || !body.environment_name) return refuse(422, 'environment_name is required');
      if (body.state !== 'approved' && body.state !== 'rejected') return refuse(422, 'state must be approved or rejected');
      if (body.comment !== undefined && typeof body.comment !== 'string') return refuse(422, 'comment must be a string');
      const failure = this.failures.shift();
      if (failure !== undefined) return send(failure, { message: 'Server Error' });
      this.callbacks.push({ repository, runId: Number(m[3]), installationId: token.installationId, body });
      send(204);
      for (const w of [...this.waiters]) w();
      return;
    }
    refuse(404, `no fake for ${req.method ?? ''} ${path}`);
  }

  /** Why an `Authorization: Bearer <jwt>` is not the app's (null: it is). */
  private checkJwt(header: string): string | null {
    const jwt = /^bearer (\S+)$/i.exec(header)?.[1];
    if (!jwt) return 'a JWT is required (Authorization: Bearer <jwt>)';
    const [h, p, sig] = jwt.split('.');
    if (!h || !p || !sig) return 'malformed JWT';
    const head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
    if (head.alg !== 'RS256') return `JWT alg ${String(head.alg)}, expected RS256`;
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(sig, 'base64url'))) return 'JWT signature does not verify against the app public key';
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss?: unknown; iat?: unknown; exp?: unknown };
    const now = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== this.appId) return `JWT iss ${String(claims.iss)} is not the app id`;
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return 'JWT needs iat and exp';
    if (claims.exp <= now) return 'JWT expired';
    if (claims.exp - now > 600 || claims.exp - claims.iat > 660) return "'Expiration time' claim ('exp') is too far in the future (10 minutes at most)";
    if (claims.iat > now + 60) return "'Issued at' claim ('iat') is in the future";
    return null;
  }
}

/**
 * A `deployment_protection_rule` (requested) webhook payload, shaped as GitHub documents it:
 * action, environment, event, deployment_callback_url, deployment {…}, repository {…},
 * installation {id}, sender.
 */
export function deploymentProtectionRulePayload(
  fake: FakeGithub,
  o: { repository?: string; environment?: string; sha: string; ref?: string; runId: number; installationId?: number; deploymentId?: number },
) {
  const repository = o.repository ?? 'acme/checkout';
  const [owner = 'acme', name = 'checkout'] = repository.split('/');
  const environment = o.environment ?? 'production';
  const deploymentId = o.deploymentId ?? 1_000_000 + o.runId;
  const sender = { login: 'octocat', id: 1, node_id: 'MDQ6VXNlcjE=', type: 'User', site_admin: false, url: `${fake.apiUrl}/users/octocat` };
  return {
    action: 'requested',
    environment,
    event: 'push',
    deployment_callback_url: fake.callbackUrl(repository, o.runId),
    deployment: {
      url: `${fake.apiUrl}/repos/${repository}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: 'DE_kwDOfake',
      task: 'deploy',
      original_environment: environment,
      environment,
      description: null,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      statuses_url: `${fake.apiUrl}/repos/${repository}/deployments/${deploymentId}/statuses`,
      repository_url: `${fake.apiUrl}/repos/${repository}`,
      creator: sender,
      sha: o.sha,
      ref: o.ref ?? 'main',
      payload: {},
      transient_environment: false,
      production_environment: environment === 'production',
      performed_via_github_app: null,
    },
    pull_requests: [],
    repository: { id: 42, node_id: 'R_kgDOfake', name, full_name: repository, private: true, owner: { ...sender, login: owner }, html_url: `https://github.com/${repository}`, default_branch: 'main' },
    organization: { login: owner, id: 2, node_id: 'O_kgDOfake' },
    installation: { id: o.installationId ?? 77, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=' },
    sender,
  };
}

/** The server's environment for the App, pointed at this fake GitHub, with short retries. */
export function githubEnv(gh: FakeGithub): Record<string, string> {
  return { GITHUB_APP_ID: gh.appId, GITHUB_APP_PRIVATE_KEY: gh.privateKey, GITHUB_WEBHOOK_SECRET: gh.webhookSecret, GITHUB_API_URL: gh.apiUrl, GITHUB_CALLBACK_RETRY_MS: '20' };
}

import type { CanResponse, DecisionResponse, MeResponse, PendingApprovalDto } from '@gatehouse/core/contract';
import {
  API_PREFIX,
  ApiErrorSchema,
  CanResponseSchema,
  DecisionRequestSchema,
  DecisionResponseSchema,
  MeResponseSchema,
  PendingApprovalsResponseSchema,
} from '@gatehouse/core/contract';
import type { z } from 'zod';
import { GatehouseApiError } from './errors.js';

export type Permission = CanResponse['permission'];
export type ApprovalType = PendingApprovalDto['canGive'][number];
export type Decision = 'approve' | 'reject';

export interface DecisionBody {
  readonly approvalType: ApprovalType;
  readonly decision: Decision;
  readonly reason?: string | null;
}

/** What the extension needs from the server: the personal endpoints of the REST API. */
export interface ApiClient {
  readonly baseUrl: string;
  me(): Promise<MeResponse>;
  can(permission: Permission, teamId: string | null): Promise<CanResponse>;
  pendingApprovals(): Promise<PendingApprovalDto[]>;
  decide(versionId: string, body: DecisionBody): Promise<DecisionResponse>;
}

export interface HttpApiClientOptions {
  /** Normalised base URL (see {@link normalizeServerUrl}). */
  readonly baseUrl: string;
  /** API key or personal token, sent as a Bearer token. */
  readonly key: string;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
}

/**
 * Turns what a person typed into the base URL the client uses: http(s) only, no trailing
 * slash, and without an `/api/v1` suffix pasted from the API docs. Null when it is not a URL.
 */
export function normalizeServerUrl(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith(API_PREFIX)) path = path.slice(0, -API_PREFIX.length);
  return `${url.origin}${path}`;
}

function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'unknown mismatch';
}

/** The REST client over `fetch`: Bearer auth, a timeout, every answer checked against the contract. */
export class HttpApiClient implements ApiClient {
  readonly baseUrl: string;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly fetchFn: typeof fetch;

  constructor(opts: HttpApiClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.key = opts.key;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.userAgent = opts.userAgent ?? 'gatehouse-vscode';
    this.fetchFn = opts.fetch ?? fetch;
  }

  me(): Promise<MeResponse> {
    return this.request('GET', '/me', MeResponseSchema);
  }

  can(permission: Permission, teamId: string | null): Promise<CanResponse> {
    const q = new URLSearchParams({ permission });
    if (teamId !== null) q.set('teamId', teamId);
    return this.request('GET', `/can?${q.toString()}`, CanResponseSchema);
  }

  async pendingApprovals(): Promise<PendingApprovalDto[]> {
    return (await this.request('GET', '/approvals/pending', PendingApprovalsResponseSchema)).items;
  }

  decide(versionId: string, body: DecisionBody): Promise<DecisionResponse> {
    // Checked here too, so a missing reason is refused before a round trip.
    const checked = DecisionRequestSchema.safeParse(body);
    if (!checked.success) return Promise.reject(new GatehouseApiError('refused', firstIssue(checked.error), { code: 'validation_failed' }));
    return this.request('POST', `/versions/${encodeURIComponent(versionId)}/decisions`, DecisionResponseSchema, checked.data);
  }

  private async request<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const url = `${this.baseUrl}${API_PREFIX}${path}`;
    const where = `${method} ${API_PREFIX}${path.split('?')[0] ?? path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: 'application/json', 'user-agent': this.userAgent };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let statusText: string;
    let text: string;
    try {
      const res = await this.fetchFn(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      statusText = res.statusText;
      text = await res.text();
    } catch (err) {
      throw new GatehouseApiError('unreachable', `cannot reach the Gatehouse server at ${this.baseUrl}: ${describeNetworkError(err, this.timeoutMs)}`, { url });
    }
    let json: unknown = undefined;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      // Not JSON: handled below as a mismatch with the contract.
    }
    if (status < 200 || status >= 300) {
      const e = ApiErrorSchema.safeParse(json);
      if (!e.success) {
        // No Gatehouse error body: a proxy in front of a stopped server, or not a Gatehouse server at all.
        if (status === 502 || status === 503 || status === 504) throw new GatehouseApiError('unreachable', `the Gatehouse server at ${this.baseUrl} does not answer (HTTP ${status} ${statusText})`, { status, url });
        throw new GatehouseApiError('invalid_response', `${this.baseUrl} does not look like a Gatehouse server: ${where} answered HTTP ${status} ${statusText}`, { status, url });
      }
      const { code, message } = e.data.error;
      const kind = status === 401 ? 'unauthorized' : status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'refused';
      throw new GatehouseApiError(kind, message, { status, code, url });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new GatehouseApiError('invalid_response', `the answer to ${where} does not match the Gatehouse contract (${firstIssue(parsed.error)}); the extension and the server may be different versions`, { status, url });
    }
    return parsed.data;
  }
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : cause.code;
  return err instanceof Error ? err.message : String(err);
}

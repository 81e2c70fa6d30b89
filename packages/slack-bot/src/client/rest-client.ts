import { API_PREFIX } from '@gatehouse/core/contract';
import { z } from 'zod';

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) });

/** A server's answer that is not what was asked for, with the server's own words and code. */
export class RemoteError extends Error {
  constructor(
    message: string,
    /** The API's error code, or `unreachable` / `protocol` / `http`. */
    readonly code: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface RawAnswer {
  status: number;
  etag: string | null;
  json: unknown;
}

/**
 * The REST API of a running Gatehouse, for the CLI and the GitHub Action: Bearer key, JSON in and
 * out, every answer checked with the contract's schema, errors as RemoteError with the server's words.
 */
export class RestClient {
  readonly api: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
    /** Where the user set the URL, for the hints in errors. */
    private readonly urlSetting = 'GATEHOUSE_URL',
  ) {
    this.api = `${baseUrl.replace(/\/+$/, '')}${API_PREFIX}`;
  }

  /** One request; 2xx and 304 are returned, anything else throws RemoteError. */
  async raw(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<RawAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.api}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (err) {
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new RemoteError(`cannot reach ${this.api}: ${why} — check ${this.urlSetting}`, 'unreachable');
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok && res.status !== 304) {
      const e = ErrorBody.safeParse(json);
      if (e.success) throw new RemoteError(`${e.data.error.message} (${e.data.error.code}, HTTP ${res.status})`, e.data.error.code, e.data.error.details ?? {}, res.status);
      throw new RemoteError(`HTTP ${res.status} from ${this.api}${path}: is ${this.urlSetting} a Gatehouse server?`, 'http', {}, res.status);
    }
    return { status: res.status, etag: res.headers.get('etag'), json };
  }

  /** A request whose answer must match `schema`. */
  async call<T>(path: string, schema: z.ZodType<T>, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const { json } = await this.raw(path, init);
    const r = schema.safeParse(json);
    if (!r.success) throw new RemoteError(`unexpected answer from ${this.api}${path}: is ${this.urlSetting} a Gatehouse server of this version?`, 'protocol');
    return r.data;
  }
}

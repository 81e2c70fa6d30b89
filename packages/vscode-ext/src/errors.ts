import type { ApiErrorCode } from '@gatehouse/core/contract';

/** Why a call to the Gatehouse server failed, as the editor sees it. */
export const FAILURE_KINDS = [
  /** No answer: connection refused, DNS, timeout, or a proxy saying the server is down. */
  'unreachable',
  /** 401: the key or token is missing, unknown or revoked. */
  'unauthorized',
  /** A 4xx domain refusal (forbidden, validation, separation of duties, …). */
  'refused',
  /** 429: too many requests with this key. */
  'rate_limited',
  /** 5xx with a Gatehouse error body. */
  'server_error',
  /** The answer does not match the REST contract (not a Gatehouse server, or another version). */
  'invalid_response',
  /** The server URL setting is empty or not an http(s) URL. */
  'not_configured',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Facts about a failed call, for logs and for the words the UI chooses. */
export interface FailureFacts {
  readonly status?: number;
  /** The server's error code, when it answered with `{ error: { code, message } }`. */
  readonly code?: ApiErrorCode;
  readonly url?: string;
}

/** Every failure of the API client and the model is one of these. */
export class GatehouseApiError extends Error {
  override readonly name = 'GatehouseApiError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly facts: FailureFacts = {},
  ) {
    super(message);
  }
}

export function isGatehouseApiError(e: unknown): e is GatehouseApiError {
  return e instanceof GatehouseApiError;
}

/** Wraps anything thrown into a GatehouseApiError (unknown errors count as unreachable). */
export function toApiError(e: unknown): GatehouseApiError {
  if (isGatehouseApiError(e)) return e;
  return new GatehouseApiError('unreachable', e instanceof Error ? e.message : String(e));
}

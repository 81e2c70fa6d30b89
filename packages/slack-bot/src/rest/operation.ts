import type { Account, Actor } from '@gatehouse/core';
import type { z } from 'zod';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** One endpoint as the OpenAPI document describes it, with the zod schemas the server validates with. */
export interface Op {
  method: Method;
  /** OpenAPI style, relative to /api/v1: `/teams/{id}`. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  /** Status on success (default 200; 204 sends no body). */
  status?: number;
}

/** The names in a path template: `/groups/{id}/members/{userId}` → `'id' | 'userId'`. */
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler gets: the caller, the path parameters, and the body and query already validated. */
export interface Call<P extends string = string, B = unknown, Q = unknown> {
  account: Account;
  actor: Actor;
  params: Readonly<Record<ParamNames<P>, string>>;
  body: B;
  query: Q;
  /** Overrides the operation's status, e.g. 200 instead of 201 when nothing was created. */
  status: (code: number) => void;
}

/** An endpoint that validates its body and query with its schemas and calls the core (see api.ts). */
export interface Operation extends Op {
  handle(call: Call): unknown;
}

/**
 * Declares an operation: the body and query a handler receives are typed from the schemas and the
 * path parameters from the path, so what OpenAPI documents is what the route validates.
 */
export function operation<P extends string, B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
  op: Omit<Op, 'path' | 'body' | 'query'> & { path: P; body?: B; query?: Q; handle: (call: Call<P, Parsed<B>, Parsed<Q>>) => unknown },
): Operation {
  return op;
}

/** The Express route of an OpenAPI path: `/teams/{id}` → `/teams/:id`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** The path parameter names of an OpenAPI path, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
}

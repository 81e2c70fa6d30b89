import { parse } from '@gatehouse/core';
import type { z } from 'zod';

/**
 * A request body (or query) validated by the contract with the core's `parse`, so a bad one is a
 * ValidationError like any other. A request without a body reads as `{}`: express leaves
 * `req.body` undefined then, and the schema's own field errors say more than "expected object".
 */
export function body<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parse(schema, value ?? {});
}

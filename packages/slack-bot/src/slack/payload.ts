import type { Logger } from '@gatehouse/core';
import { z } from 'zod';

/** Errors of a payload that is not what this app sent or expects: a schema or JSON mismatch. */
function unreadable(err: unknown): err is Error {
  return err instanceof z.ZodError || (err instanceof Error && err.name === 'ZodError') || err instanceof SyntaxError;
}

/**
 * Reads part of a Slack payload. One without the shape this app sent or expects — a button of a
 * message an older version posted, metadata that is not ours, a truncated or forged body — is
 * the sender's mistake, not the server's: it is logged as a warning and read as null, and the
 * caller acknowledges it (app.error is for the server's own failures). Other errors are rethrown.
 */
export function readPayload<T>(logger: Logger, what: string, read: () => T): { value: T } | null {
  try {
    return { value: read() };
  } catch (err) {
    if (!unreadable(err)) throw err;
    const problem = err instanceof z.ZodError ? z.prettifyError(err) : err.message;
    logger.warn('a Slack payload Gatehouse cannot read was acknowledged and ignored', { what, problem: problem.slice(0, 500) });
    return null;
  }
}

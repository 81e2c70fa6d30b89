import type { Logger, LogStore } from '@gatehouse/core';
import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SeenSet } from './queue.js';

const RequestIds = z.object({ trigger_id: z.string().optional(), event_id: z.string().optional() });

/**
 * How long a request id is remembered. Bolt refuses requests signed more than 5 minutes ago and
 * the guard those dated more than 5 minutes ahead, so a copy can only arrive within 10 minutes.
 */
export const REQUEST_ID_TTL_MS = 15 * 60_000;

/**
 * Whether a Slack request id was handled before, by this instance (`seen`, no round trip) or by
 * any other on the store (`claim`, atomic in the store). A store that cannot be reached is not a
 * reason to refuse Slack: the request goes on, and the warning says repeats may get through.
 */
export function repeatedRequest(seen: SeenSet, store: Pick<LogStore, 'claim'>, logger: Logger) {
  return async (id: string): Promise<boolean> => {
    if (seen.check(id)) return true;
    if (!store.claim) return false;
    try {
      return !(await store.claim(`slack:${id}`, REQUEST_ID_TTL_MS));
    } catch (err) {
      logger.warn('could not record a Slack request id in the store: a copy sent to another instance would be handled again', { id, err: err instanceof Error ? err.message : String(err) });
      return false;
    }
  };
}

/**
 * Global middleware: a request Slack sends again (x-slack-retry-num, a Socket Mode redelivery),
 * or a copy of a signed request replayed to any instance, carries the trigger_id / event_id of the
 * first; it is acknowledged and not handled twice. Distinct clicks have distinct trigger_ids and
 * reach the listeners, where the core's idempotent decisions make a double click record one decision.
 */
export function skipRepeats(repeated: (id: string) => Promise<boolean>, logger: Logger) {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const ids = RequestIds.safeParse(args.body);
    const key = ids.success ? (ids.data.trigger_id ?? ids.data.event_id) : undefined;
    if (key !== undefined && (await repeated(key))) {
      logger.info('repeated Slack request acknowledged and skipped', { key, retryNum: args.context.retryNum ?? null });
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    await args.next();
  };
}

import type { Logger } from '@gatehouse/core';
import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SeenSet } from './queue.js';

const RequestIds = z.object({ trigger_id: z.string().optional(), event_id: z.string().optional() });

/**
 * Global middleware: a request Slack sends again (x-slack-retry-num, a Socket Mode redelivery)
 * carries the trigger_id / event_id of the first; it is acknowledged and not handled twice.
 * Distinct clicks have distinct trigger_ids and reach the listeners, where the core's
 * idempotent decisions make a double click record one decision.
 */
export function skipRepeats(seen: SeenSet, logger: Logger) {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const ids = RequestIds.safeParse(args.body);
    const key = ids.success ? (ids.data.trigger_id ?? ids.data.event_id) : undefined;
    if (key !== undefined && seen.check(key)) {
      logger.info('repeated Slack request acknowledged and skipped', { key, retryNum: args.context.retryNum ?? null });
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    await args.next();
  };
}

import type { Logger, LogStore } from '@gatehouse/core';
import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SeenSet } from './queue.js';

/** The answer to a button whose action_id or value this version cannot read (a message an older version posted). */
export const STALE_BUTTON = ':warning: Gatehouse cannot read this button (the message may be from an older version). Use the newest message, or the slash command.';

const Interaction = z.object({
  type: z.string().optional(),
  command: z.string().optional(),
  action_id: z.unknown().optional(),
  actions: z.array(z.object({ action_id: z.unknown() }).passthrough()).optional(),
  view: z.object({ callback_id: z.unknown() }).passthrough().optional(),
});

/** What the app has listeners for. */
export interface Handled {
  command: string;
  actions: readonly RegExp[];
  views: readonly string[];
  /** action_ids of the pickers whose options are loaded (block_suggestion). */
  options: readonly RegExp[];
}

/**
 * Global middleware: a slash command, button, form or picker this version has no listener for (a message
 * or modal an older version posted, another app's command) is acknowledged at once — Bolt would
 * leave it unanswered, and Slack shows an error after 3 s — with a word for the user where there
 * is a response_url, and a warning in the log.
 */
export function ackUnhandled(handled: Handled, logger: Logger) {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const b = Interaction.safeParse(args.body);
    const body = b.success ? b.data : {};
    const actionId = body.type === 'block_suggestion' ? body.action_id : body.actions?.[0]?.action_id;
    const callbackId = body.view?.callback_id;
    const unhandled =
      body.command !== undefined
        ? body.command !== handled.command
        : body.type === 'block_actions'
          ? typeof actionId !== 'string' || !handled.actions.some((p) => p.test(actionId))
          : body.type === 'view_submission' || body.type === 'view_closed'
            ? typeof callbackId !== 'string' || !handled.views.includes(callbackId)
            : body.type === 'block_suggestion'
              ? typeof actionId !== 'string' || !handled.options.some((p) => p.test(actionId))
              : false;
    if (!unhandled) return args.next();
    logger.warn('a Slack interaction this version has no listener for was acknowledged and ignored', { type: body.type ?? 'command', command: body.command ?? null, actionId: typeof actionId === 'string' ? actionId.slice(0, 100) : null, callbackId: typeof callbackId === 'string' ? callbackId.slice(0, 100) : null });
    // A select asking for options is answered with none (an empty answer is not one Slack reads).
    if ('ack' in args && typeof args.ack === 'function') await (body.type === 'block_suggestion' ? (args.ack as (r: unknown) => Promise<void>)({ options: [] }) : args.ack());
    if ('respond' in args && typeof args.respond === 'function' && body.type === 'block_actions') {
      await args.respond({ response_type: 'ephemeral', replace_original: false, text: STALE_BUTTON });
    }
  };
}

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

import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerDeps } from '../../context.js';
import { workspaceAccount } from '../../context.js';
import { readPayload } from '../../payload.js';

const AppHomeOpened = z.object({
  team_id: z.string(),
  event: z.object({ type: z.literal('app_home_opened'), user: z.string(), tab: z.string().optional() }),
});

/**
 * Slack's `app_home_opened` (Events API; acknowledged by Bolt before listeners run): the Home tab
 * is published for the user (what waits for them, their requests, their access), and re-published
 * from then on when a commit concerns them. Opening the Messages tab does nothing. Nothing is
 * written: someone Gatehouse does not know yet sees an empty Home; a workspace this server does
 * not serve, or without an account yet, a Home saying what the operator does.
 */
export function appHomeOpened(deps: ListenerDeps) {
  return async ({ body }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const e = readPayload(deps.logger, 'app_home_opened', () => AppHomeOpened.parse(body))?.value;
    if (!e || (e.event.tab !== undefined && e.event.tab !== 'home')) return;
    const found = await workspaceAccount(deps, e.team_id);
    if ('refusal' in found) deps.notifier.home.refused(found.id, e.event.user, found.refusal);
    else deps.notifier.home.opened(found.account, e.event.user);
  };
}

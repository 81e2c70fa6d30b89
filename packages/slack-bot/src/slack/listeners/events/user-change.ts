import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { SYSTEM, isGatehouseError } from '@gatehouse/core';
import { z } from 'zod';
import { serves } from '../../../config.js';
import type { ListenerDeps } from '../../context.js';
import { readPayload } from '../../payload.js';
import { own } from '../../../rest/lookup.js';

const UserChange = z.object({
  team_id: z.string(),
  event: z.object({
    type: z.literal('user_change'),
    user: z.object({ id: z.string(), deleted: z.boolean().optional(), real_name: z.string().optional(), name: z.string().optional(), profile: z.object({ display_name: z.string().optional() }).optional() }),
  }),
});

/**
 * Slack's `user_change` (Events API; acknowledged by Bolt before listeners run): a user
 * deactivated in Slack is deactivated in Gatehouse (no permissions, keys stop working), unless
 * they are the last Admin (the core refuses; it is logged). Reactivation stays a deliberate
 * administrator's act. Name changes refresh the known user. An event from a workspace this
 * server does not serve changes nothing (logged).
 */
export function userChanged(deps: ListenerDeps) {
  return async ({ body }: SlackEventMiddlewareArgs<'user_change'> & AllMiddlewareArgs): Promise<void> => {
    const e = readPayload(deps.logger, 'user_change', () => UserChange.parse(body))?.value;
    if (!e) return;
    if (!serves(deps.config, e.team_id)) {
      deps.logger.warn('a Slack event from a workspace this server does not serve was ignored (GATEHOUSE_ACCOUNT_ID names the ones it serves)', { team: e.team_id, event: 'user_change' });
      return;
    }
    const account = await deps.gatehouse.account(e.team_id);
    const u = e.event.user;
    const known = account.exists ? own(account.view.users, u.id) : undefined;
    if (!known) return;
    if (u.deleted) {
      if (!known.active) return;
      try {
        await account.deactivateUser(SYSTEM, { userId: u.id });
        deps.logger.info('user deactivated in Slack: deactivated in Gatehouse', { account: account.id, userId: u.id });
      } catch (err) {
        if (!isGatehouseError(err)) throw err;
        deps.logger.warn('a user deactivated in Slack could not be deactivated in Gatehouse', { account: account.id, userId: u.id, code: err.code, reason: err.message });
      }
      return;
    }
    const name = u.profile?.display_name || u.real_name || u.name;
    if (name && known.active) await account.ensureUser({ userId: u.id, name });
  };
}

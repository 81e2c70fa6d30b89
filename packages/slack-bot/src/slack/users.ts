import type { Account } from '@gatehouse/core';
import { GatehouseError } from '@gatehouse/core';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { own } from '../rest/lookup.js';

const UsersInfo = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

/** A Slack user's display name and whether they are deleted or a bot (users.info). */
export async function slackProfile(client: WebClient, userId: string, fallbackName: string | null = null): Promise<{ name: string; deleted: boolean; bot: boolean }> {
  const info = UsersInfo.parse(await client.users.info({ user: userId }));
  const name = info.user.profile?.display_name || info.user.real_name || info.user.name || fallbackName || '';
  return { name, deleted: info.user.deleted === true, bot: info.user.is_bot === true };
}

/**
 * Makes sure a user picked or mentioned in Slack exists in the account before a role change
 * names them: unknown users are looked up with users.info for their name; deleted ones are refused.
 */
export async function ensureUserFromSlack(client: WebClient, account: Account, userId: string, fallbackName: string | null = null): Promise<void> {
  if (own(account.view.users, userId)) return;
  const p = await slackProfile(client, userId, fallbackName);
  if (p.deleted) throw new GatehouseError('user_inactive', `${userId} is deactivated in Slack`, { userId });
  await account.ensureUser({ userId, name: p.name, serviceAccount: p.bot });
}

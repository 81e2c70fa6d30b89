import type { Account, Actor, Gatehouse, Logger } from '@gatehouse/core';
import { isGatehouseError } from '@gatehouse/core';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Message } from './blocks/common.js';
import { reply } from './blocks/common.js';
import type { Names } from './format.js';
import { explainError } from './messages.js';
import type { ReplyTo } from './blocks/modals.js';
import type { Notifier } from './notifier.js';
import type { SeenSet } from './queue.js';

/** What every listener needs. Built once by `buildSlackApp`. */
export interface ListenerDeps {
  gatehouse: Gatehouse;
  config: Config;
  logger: Logger;
  notifier: Notifier;
  /** trigger_ids / event_ids already handled (Slack retries). */
  seen: SeenSet;
}

/** The account and actor behind one Slack interaction. */
export interface Session {
  account: Account;
  actor: Actor;
  names: Names;
}

export function namesOf(account: Account): Names {
  return { state: account.view, role: (id) => account.role(id) };
}

/**
 * Resolves the workspace's account and makes sure the interacting user exists (newcomers land
 * in the default team with the default role). Called after ack(): it may write.
 * Returns words for the user instead when the workspace has no account yet.
 */
export async function enter(deps: ListenerDeps, teamId: string | null | undefined, user: { id: string; name?: string | null }): Promise<Session | { refusal: string }> {
  const id = teamId ?? deps.config.GATEHOUSE_ACCOUNT_ID;
  const account = await deps.gatehouse.account(id);
  if (!account.exists) {
    return {
      refusal: `:construction: This Slack workspace (\`${id}\`) has no Gatehouse account yet. The operator sets \`GATEHOUSE_ACCOUNT_ID=${id}\` and \`GATEHOUSE_BOOTSTRAP_ADMINS=<Slack user id of the first Admin>\` and restarts, or runs \`npm run gatehouse -- bootstrap --admin <user id>\`.`,
    };
  }
  await account.ensureUser({ userId: user.id, name: user.name ?? '' });
  account.touchUser(user.id);
  return { account, actor: { userId: user.id }, names: namesOf(account) };
}

/** Turns a typed core refusal into a message; anything else is rethrown (it reaches app.error). */
export function refusal(err: unknown, names: Names | null, cmd: string): Message {
  if (isGatehouseError(err)) return reply(explainError(err, names, cmd));
  throw err;
}

/**
 * Sends an ephemeral answer where the user was: through the command's response_url when there
 * is one, else as chat.postEphemeral in the channel, else by DM.
 */
export async function answer(client: WebClient, to: ReplyTo, userId: string, msg: Message): Promise<void> {
  if (to.responseUrl) {
    const res = await fetch(to.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks }),
    });
    if (res.ok) return;
    // An expired response_url (30 minutes, 5 uses): fall through to the channel or a DM.
  }
  if (to.channel) {
    await client.chat.postEphemeral({ channel: to.channel, user: userId, text: msg.text, blocks: msg.blocks });
    return;
  }
  const dm = await client.conversations.open({ users: userId });
  const channel = dm.channel?.id;
  if (channel) await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks });
}

import type { Account, Actor, Gatehouse, Logger } from '@gatehouse/core';
import { isGatehouseError } from '@gatehouse/core';
import { setImmediate as afterPendingIo } from 'node:timers/promises';
import { Semaphore } from 'async-mutex';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import { serves } from '../config.js';
import type { Message } from './blocks/common.js';
import { reply } from './blocks/common.js';
import type { Names } from './format.js';
import { explainError } from './messages.js';
import type { ReplyTo } from './blocks/form.js';
import type { Notifier } from './notifier.js';
import type { SeenSet } from './queue.js';
import { own } from '../rest/lookup.js';

/** What every listener needs. Built once by `buildSlackApp`. */
export interface ListenerDeps {
  gatehouse: Gatehouse;
  config: Config;
  logger: Logger;
  notifier: Notifier;
  /** trigger_ids / event_ids this instance handled (Slack retries); other instances' are claimed in the store. */
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
 * Acknowledges, then lets the requests already waiting on the event loop run up to their own
 * ack before this one does its work (Slack shows an error and retries when an ack takes 3 s).
 */
export async function ackFirst(ack: () => Promise<void>): Promise<void> {
  await ack();
  await afterPendingIo();
}

/**
 * Work after an ack runs at most this many at a time. Decisions on one account are serialised
 * by the core anyway; unbounded, a burst of 100 clicks would run 100 synchronous stretches
 * back to back while the next requests wait to be acknowledged.
 */
const afterAck = new Semaphore(4);

/** Acknowledges at once, then does `work` in turn with the other clicks' work (see `afterAck`). */
export async function ackThen(ack: () => Promise<void>, work: () => Promise<void>): Promise<void> {
  await ack();
  await afterAck.runExclusive(work);
}

/**
 * What someone in a workspace of this server without a Gatehouse account yet is told, and what
 * the operator does about it: the default account is created at start-up or by the CLI's
 * bootstrap; another one by the bootstrap with GATEHOUSE_ACCOUNT_ID naming it.
 */
export function noAccountText(config: Pick<Config, 'GATEHOUSE_ACCOUNT_ID'>, id: string): string {
  const how =
    id === config.GATEHOUSE_ACCOUNT_ID
      ? 'The operator sets `GATEHOUSE_BOOTSTRAP_ADMINS=<Slack user id of the first Admin>` and restarts, or runs `npm run gatehouse -- bootstrap --admin <user id>`.'
      : `The operator creates it with \`GATEHOUSE_ACCOUNT_ID=${id} npm run gatehouse -- bootstrap --admin <Slack user id of the first Admin>\`.`;
  return `:construction: This Slack workspace (\`${id}\`) has no Gatehouse account yet. ${how}`;
}

/** What someone in a workspace this server does not serve is told (its account may be in the store: it is not read). */
export function notServedText(id: string): string {
  return `:no_entry: This Slack workspace (\`${id}\`) is not served by this Gatehouse server. The operator adds \`${id}\` to \`GATEHOUSE_ACCOUNT_ID\` of this server (a comma-separated list of team ids) and restarts it, or runs a Gatehouse server for that workspace.`;
}

/**
 * The account of a Slack workspace (its team id; none: the default account), or the words for
 * the user when this server does not serve it or it has no account yet. An account this server
 * does not serve is never loaded.
 */
export async function workspaceAccount(deps: Pick<ListenerDeps, 'gatehouse' | 'config'>, teamId: string | null | undefined): Promise<{ account: Account } | { refusal: string; id: string }> {
  const id = teamId ?? deps.config.GATEHOUSE_ACCOUNT_ID;
  if (!serves(deps.config, id)) return { refusal: notServedText(id), id };
  const account = await deps.gatehouse.account(id);
  return account.exists ? { account } : { refusal: noAccountText(deps.config, id), id };
}

/**
 * Resolves the workspace's account and makes sure the interacting user exists (newcomers land
 * in the default team with the default role). Called after ack(): it may write.
 * Returns words for the user instead when this server does not serve the workspace, or it has no account yet.
 */
export async function enter(deps: ListenerDeps, teamId: string | null | undefined, user: { id: string; name?: string | null }): Promise<Session | { refusal: string }> {
  const found = await workspaceAccount(deps, teamId);
  if ('refusal' in found) return found;
  const { account } = found;
  // A payload's name is the Slack handle; a known user's name comes from users.info and
  // user_change (the display name), which a click must not overwrite with the handle.
  const known = own(account.view.users, user.id) !== undefined;
  await account.ensureUser({ userId: user.id, name: known ? '' : (user.name ?? '') });
  account.touchUser(user.id);
  return { account, actor: { userId: user.id }, names: namesOf(account) };
}

/**
 * The part of a button or modal listener after its ack: resolves the user (`from`), runs `work`
 * for them with `say` for ephemeral answers, and answers a typed refusal, or a workspace without
 * an account, where they were (`to`). Anything else is rethrown and reaches app.error.
 */
export async function asUser(
  deps: ListenerDeps,
  client: WebClient,
  from: { teamId: string | null; user: { id: string; name: string | null } },
  to: ReplyTo,
  work: (session: Session, say: (text: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const say = (text: string) => answer(client, to, from.user.id, reply(text));
  let session: Session | { refusal: string };
  try {
    session = await enter(deps, from.teamId, from.user);
  } catch (err) {
    // Recording someone new, or loading the account, can be refused too (the store is away).
    return answer(client, to, from.user.id, refusal(err, null, deps.config.SLACK_COMMAND));
  }
  if ('refusal' in session) return say(session.refusal);
  try {
    await work(session, say);
  } catch (err) {
    await answer(client, to, from.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
  }
}

/** Turns a typed core refusal into a message; anything else is rethrown (it reaches app.error). */
export function refusal(err: unknown, names: Names | null, cmd: string): Message {
  if (isGatehouseError(err)) return reply(explainError(err, names, cmd));
  throw err;
}

/**
 * Sends an answer only the user sees, where they were: through the command's response_url when
 * there is one (`replace`: in place of the ephemeral message the button was on), else as
 * chat.postEphemeral in the channel. False when neither is possible.
 */
export async function answerEphemeral(client: WebClient, to: ReplyTo, userId: string, msg: Message, replace = false): Promise<boolean> {
  if (to.responseUrl) {
    const res = await fetch(to.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: replace, text: msg.text, blocks: msg.blocks }),
    });
    if (res.ok) return true;
    // An expired response_url (30 minutes, 5 uses): fall through to the channel.
  }
  if (to.channel) {
    await client.chat.postEphemeral({ channel: to.channel, user: userId, text: msg.text, blocks: msg.blocks });
    return true;
  }
  return false;
}

/** Sends an ephemeral answer where the user was (see answerEphemeral), else by DM. */
export async function answer(client: WebClient, to: ReplyTo, userId: string, msg: Message): Promise<void> {
  if (await answerEphemeral(client, to, userId, msg)) return;
  const dm = await client.conversations.open({ users: userId });
  const channel = dm.channel?.id;
  if (channel) await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks });
}

import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ApprovalType } from '@gatehouse/core';
import { ApprovalTypeSchema } from '@gatehouse/core';
import { z } from 'zod';
import type { ReplyTo } from '../../blocks/form.js';
import type { ListenerDeps, Session } from '../../context.js';
import { reply } from '../../blocks/common.js';
import { ackThen, answer, asUser } from '../../context.js';
import { STALE_BUTTON } from '../../middleware.js';
import { readPayload } from '../../payload.js';
import { actionSuffix } from '../../ids.js';

/** The parts of a block_actions payload the listeners rely on, validated. */
const ClickSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  container: z.object({ type: z.string().optional(), is_ephemeral: z.boolean().optional() }).optional(),
  view: z.object({ type: z.string() }).optional(),
  trigger_id: z.string(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

export interface Click {
  teamId: string | null;
  user: { id: string; name: string | null };
  actionId: string;
  value: string;
  triggerId: string;
  /** Where to answer the clicker (ephemeral). */
  replyTo: ReplyTo;
  /** The message the button sits on, unless it is an ephemeral one. */
  message: { channel: string; ts: string } | null;
  /** The button sits on an ephemeral message (a command's answer): only `replyTo.responseUrl` can replace it. */
  ephemeral: boolean;
  /** The button is on the user's App Home (no channel, no response_url: answers go by DM). */
  home: boolean;
}

export function parseClick(body: unknown): Click {
  const b = ClickSchema.parse(body);
  const action = b.actions[0];
  const channel = b.channel?.id ?? null;
  return {
    teamId: b.team?.id ?? b.user.team_id ?? null,
    user: { id: b.user.id, name: b.user.name ?? b.user.username ?? null },
    actionId: action?.action_id ?? '',
    value: action?.value ?? '',
    triggerId: b.trigger_id,
    replyTo: { channel, responseUrl: b.response_url ?? null },
    message: channel && b.message && !b.container?.is_ephemeral ? { channel, ts: b.message.ts } : null,
    ephemeral: b.container?.is_ephemeral === true,
    home: b.container?.type === 'view' && b.view?.type === 'home',
  };
}

/** The id a button carries in its value (a request's or a release's). */
export function clickedId(click: Click): string {
  return click.value;
}

/**
 * A version button: the version id in the value, the approval type in the action_id suffix
 * (`version_approve:qa`, or `version_approve:qa:<version id>` where buttons of several versions
 * share a message).
 */
export function versionClick(click: Click): { versionId: string; type: ApprovalType } {
  return { versionId: click.value, type: ApprovalTypeSchema.parse(actionSuffix(click.actionId).split(':')[0]) };
}

/** What a click handler gets once the click is acknowledged and the user is known. */
export interface ClickContext<I> {
  click: Click;
  /** What `read` took from the click. */
  input: I;
  session: Session;
  client: WebClient;
  /** An ephemeral answer to the clicker. */
  say: (text: string) => Promise<void>;
}

/**
 * The shape every button shares, as `submissionListener` is the modals': ack (then wait its turn,
 * see `ackThen`), read the click, resolve the user, run one core call, and turn a typed refusal
 * into an ephemeral answer. `read` runs before any core work; a malformed payload throws there
 * and reaches app.error. A click on the App Home re-publishes it afterwards, whatever the outcome.
 */
export function clickListener<I>(deps: ListenerDeps, read: (click: Click) => I, run: (ctx: ClickContext<I>) => Promise<void>) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = readPayload(deps.logger, 'block_actions', () => parseClick(body))?.value;
      if (!click) return;
      const input = readPayload(deps.logger, `button ${click.actionId}`, () => read(click));
      if (!input) {
        await answer(client, click.replyTo, click.user.id, reply(STALE_BUTTON));
        return;
      }
      await asUser(deps, client, click, click.replyTo, async (session, say) => {
        try {
          await run({ click, input: input.value, session, client, say });
        } finally {
          if (click.home) deps.notifier.home.opened(session.account, click.user.id);
        }
      });
    });
  };
}

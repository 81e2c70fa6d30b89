import { z } from 'zod';
import type { ReplyTo } from '../../blocks/modals.js';

/** The parts of a block_actions payload the listeners rely on, validated. */
const ClickSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  container: z.object({ is_ephemeral: z.boolean().optional() }).optional(),
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
  };
}

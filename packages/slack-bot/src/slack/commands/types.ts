import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Message } from '../blocks/common.js';
import type { ReplyTo } from '../blocks/form.js';
import type { ListenerDeps, Session } from '../context.js';
import type { Token } from '../parse.js';

/** What a subcommand handler gets: who asks, in which account, and how to answer. */
export interface CommandContext {
  readonly deps: ListenerDeps;
  readonly session: Session;
  /** The slash command as configured, e.g. `/gatehouse`. */
  readonly cmd: string;
  readonly client: WebClient;
  readonly userId: string;
  readonly triggerId: string;
  /** Where later answers go (modal submissions reply through the command's response_url). */
  readonly replyTo: ReplyTo;
  /** Opens a modal with the command's trigger_id (valid once, for 3 seconds). */
  openModal(view: ModalView): Promise<void>;
}

/**
 * One subcommand: parses its arguments, calls one core function, renders the answer (ephemeral).
 * Returns null when it answered another way (a modal). Core refusals are thrown as GatehouseError.
 */
export type Subcommand = (ctx: CommandContext, args: readonly Token[]) => Promise<Message | null>;

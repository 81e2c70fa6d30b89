import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import type { Message } from '../../blocks/common.js';
import { helpMessage, usageMessage } from '../../blocks/replies.js';
import { SUBCOMMANDS } from '../../commands/index.js';
import type { CommandContext } from '../../commands/types.js';
import type { ListenerDeps } from '../../context.js';
import { ackFirst, enter, refusal } from '../../context.js';
import { esc } from '../../format.js';
import { tokenize, wordAt } from '../../parse.js';

/**
 * The longest command text read, in characters. Slack's own limit for a message is about 4,000;
 * nothing a command names is longer than 80 (names) or 1,000 (reasons), so a longer text is a
 * paste gone wrong or an attempt to make the parsers work: it is refused before any work.
 */
export const MAX_COMMAND_TEXT = 4_000;

/**
 * The slash command (`/gatehouse` by default). Acks at once (the answer follows through the
 * response_url, ephemeral), then makes sure the user exists, then runs one subcommand.
 */
export function slashCommand(deps: ListenerDeps) {
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ackFirst(ack);
    const cmd = command.command || deps.config.SLACK_COMMAND;
    const send = (m: Message) => respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
    // Slack always sends text (empty for none); a body without it is read as empty.
    const text = typeof command.text === 'string' ? command.text : '';
    if (text.length > MAX_COMMAND_TEXT) {
      await send(reply(`:warning: That command is ${text.length.toLocaleString('en-US')} characters long; Gatehouse reads at most ${MAX_COMMAND_TEXT.toLocaleString('en-US')}. Names are at most 80 characters and reasons 1,000: shorten it and try again.`));
      return;
    }
    const tokens = tokenize(text);
    const name = (wordAt(tokens, 0) ?? 'help').toLowerCase();
    const run = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!run) {
      await send(usageMessage(cmd, 'help', `\`${esc(name)}\` is not a Gatehouse command.`));
      return;
    }
    if (name === 'help') {
      await send(helpMessage(cmd));
      return;
    }
    let session: Awaited<ReturnType<typeof enter>>;
    try {
      session = await enter(deps, command.team_id, { id: command.user_id, name: command.user_name });
    } catch (err) {
      // Recording someone new, or loading the account, can be refused too (the store is away).
      await send(refusal(err, null, cmd));
      return;
    }
    if ('refusal' in session) {
      await send(reply(session.refusal));
      return;
    }
    const ctx: CommandContext = {
      deps,
      session,
      cmd,
      client,
      userId: command.user_id,
      triggerId: command.trigger_id,
      replyTo: { channel: command.channel_id || null, responseUrl: command.response_url || null },
      openModal: async (view) => {
        await client.views.open({ trigger_id: command.trigger_id, view });
      },
    };
    let answer: Message | null;
    try {
      answer = await run(ctx, tokens.slice(1));
    } catch (err) {
      answer = refusal(err, session.names, cmd);
    }
    if (answer) await send(answer);
  };
}

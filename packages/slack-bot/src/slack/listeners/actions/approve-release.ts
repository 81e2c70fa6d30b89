import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { esc } from '../../format.js';
import { parseClick } from './click.js';

/** Approve a release (release id in the value); idempotent in the core like version decisions. */
export function approveRelease(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      try {
        const out = await session.account.decideRelease(session.actor, { releaseId: click.value, decision: 'approve' });
        if (!out.changed) await answer(client, click.replyTo, click.user.id, reply(`You had already approved the release *${esc(out.release.name)}*: nothing changed.`));
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

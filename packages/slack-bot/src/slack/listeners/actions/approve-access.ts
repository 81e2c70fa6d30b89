import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { who } from '../../format.js';
import { parseClick } from './click.js';

/**
 * Approve an access request (request id in the value): it becomes a time-bound grant under the
 * same governance rules. A second approver racing the first is told who decided.
 */
export function approveAccess(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      if (click.message) deps.notifier.rememberRequestMessage(session.account.id, click.value, click.message);
      try {
        const before = session.account.view.requests[click.value]?.status;
        const { request } = await session.account.decideAccessRequest(session.actor, { requestId: click.value, approve: true });
        if (before !== 'pending' || request.decidedBy !== click.user.id) await answer(client, click.replyTo, click.user.id, reply(`This request was already approved by ${who(request.decidedBy ?? 'system')}: nothing changed.`));
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import { DenyAccessMeta, readReason } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import { parseSubmission } from './submission.js';

/** The Deny modal of an access request. */
export function denyAccessSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const s = parseSubmission(body, DenyAccessMeta);
    const reason = readReason(s.values);
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { reason: 'Give a reason of at least 3 characters' } });
      return;
    }
    await ack();
    const session = await enter(deps, s.teamId, s.user);
    if ('refusal' in session) return answer(client, s.meta, s.user.id, reply(session.refusal));
    if (s.meta.channel && s.meta.ts) deps.notifier.rememberRequestMessage(session.account.id, s.meta.requestId, { channel: s.meta.channel, ts: s.meta.ts });
    try {
      await session.account.decideAccessRequest(session.actor, { requestId: s.meta.requestId, approve: false, reason });
    } catch (err) {
      await answer(client, s.meta, s.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
    }
  };
}

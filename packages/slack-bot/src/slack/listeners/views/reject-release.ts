import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import { RejectReleaseMeta, readReason } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import { parseSubmission } from './submission.js';

/** The Reject release modal. */
export function rejectReleaseSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const s = parseSubmission(body, RejectReleaseMeta);
    const reason = readReason(s.values);
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { reason: 'Give a reason of at least 3 characters' } });
      return;
    }
    await ack();
    const session = await enter(deps, s.teamId, s.user);
    if ('refusal' in session) return answer(client, s.meta, s.user.id, reply(session.refusal));
    try {
      const out = await session.account.decideRelease(session.actor, { releaseId: s.meta.releaseId, decision: 'reject', reason });
      if (!out.changed) await answer(client, s.meta, s.user.id, reply('You had already rejected this release with this reason: nothing changed.'));
    } catch (err) {
      await answer(client, s.meta, s.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
    }
  };
}

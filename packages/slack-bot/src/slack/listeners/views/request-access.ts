import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import { ReplyTo, readRequest } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import { esc, roleName, teamName } from '../../format.js';
import { formatDuration } from '../../parse.js';
import { parseSubmission } from './submission.js';

/** The request-access form; the approvers' message is posted by the notifier from the commit. */
export function requestAccessSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const s = parseSubmission(body, ReplyTo);
    const form = readRequest(s.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    const session = await enter(deps, s.teamId, s.user);
    if ('refusal' in session) return answer(client, s.meta, s.user.id, reply(session.refusal));
    const { account, actor, names } = session;
    try {
      const r = await account.requestAccess(actor, form.input);
      await answer(client, s.meta, s.user.id, reply(`:inbox_tray: Requested *${esc(roleName(names, r.roleId))}* ${r.teamId ? `in *${esc(teamName(names, r.teamId))}*` : 'globally'} for *${formatDuration(r.durationMs)}* (\`${r.id}\`). You will get a DM with the answer.`));
    } catch (err) {
      await answer(client, s.meta, s.user.id, refusal(err, names, deps.config.SLACK_COMMAND));
    }
  };
}

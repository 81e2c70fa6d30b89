import { requestsList } from '../../commands/requests.js';
import type { ListenerDeps } from '../../context.js';
import { answerEphemeral } from '../../context.js';
import { who } from '../../format.js';
import { clickedId, clickListener } from './click.js';
import { own } from '../../../rest/lookup.js';

/**
 * Approve an access request (request id in the value): it becomes a time-bound grant under the
 * same governance rules. The approvers' message is updated by the notifier; the `requests` list
 * (ephemeral) is redrawn here with the request decided. A second approver racing the first is
 * told who decided.
 */
export function approveAccess(deps: ListenerDeps) {
  return clickListener(deps, clickedId, async ({ click, input: requestId, session, client, say }) => {
    if (click.message) deps.notifier.rememberRequestMessage(session.account.id, requestId, click.message);
    const before = own(session.account.view.requests, requestId)?.status;
    const decided = await session.account.decideAccessRequest(session.actor, { requestId, approve: true });
    if (click.ephemeral) await answerEphemeral(client, click.replyTo, click.user.id, requestsList(session, deps.config.SLACK_COMMAND, decided), true);
    const { request } = decided;
    if (before !== 'pending' || request.decidedBy !== click.user.id) await say(`This request was already approved by ${who(request.decidedBy ?? 'system')}: nothing changed.`);
  });
}

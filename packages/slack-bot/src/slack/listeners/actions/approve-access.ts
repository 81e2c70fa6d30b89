import type { ListenerDeps } from '../../context.js';
import { who } from '../../format.js';
import { clickedId, clickListener } from './click.js';
import { own } from '../../../rest/lookup.js';

/**
 * Approve an access request (request id in the value): it becomes a time-bound grant under the
 * same governance rules. A second approver racing the first is told who decided.
 */
export function approveAccess(deps: ListenerDeps) {
  return clickListener(deps, clickedId, async ({ click, input: requestId, session, say }) => {
    if (click.message) deps.notifier.rememberRequestMessage(session.account.id, requestId, click.message);
    const before = own(session.account.view.requests, requestId)?.status;
    const { request } = await session.account.decideAccessRequest(session.actor, { requestId, approve: true });
    if (before !== 'pending' || request.decidedBy !== click.user.id) await say(`This request was already approved by ${who(request.decidedBy ?? 'system')}: nothing changed.`);
  });
}

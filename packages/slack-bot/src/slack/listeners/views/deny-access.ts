import { DenyAccessMeta, REASON_FIELDS } from '../../blocks/modals.js';
import { requestsList } from '../../commands/requests.js';
import type { ListenerDeps } from '../../context.js';
import { answerEphemeral } from '../../context.js';
import { reasonForm, submissionListener } from './submission.js';

/**
 * The Deny modal of an access request. The approvers' message is updated by the notifier; the
 * `requests` list it was opened from (ephemeral) is redrawn here, with the request denied.
 */
export function denyAccessSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, DenyAccessMeta, reasonForm, REASON_FIELDS, async ({ s, session, input: reason, client, afterClose }) => {
    if (s.meta.channel && s.meta.ts) deps.notifier.rememberRequestMessage(session.account.id, s.meta.requestId, { channel: s.meta.channel, ts: s.meta.ts });
    const decided = await session.account.decideAccessRequest(session.actor, { requestId: s.meta.requestId, approve: false, reason });
    if (s.meta.list) await afterClose(async () => void (await answerEphemeral(client, s.meta, s.user.id, requestsList(session, deps.config.SLACK_COMMAND, decided), true)));
  });
}

import { DenyAccessMeta, REASON_FIELDS } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { reasonForm, submissionListener } from './submission.js';

/** The Deny modal of an access request. */
export function denyAccessSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, DenyAccessMeta, reasonForm, REASON_FIELDS, async ({ s, session, input: reason }) => {
    if (s.meta.channel && s.meta.ts) deps.notifier.rememberRequestMessage(session.account.id, s.meta.requestId, { channel: s.meta.channel, ts: s.meta.ts });
    await session.account.decideAccessRequest(session.actor, { requestId: s.meta.requestId, approve: false, reason });
  });
}

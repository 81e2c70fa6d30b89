import { ApprovalTypeSchema } from '@gatehouse/core';
import { REASON_FIELDS, RejectVersionMeta } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { reasonForm, submissionListener } from './submission.js';

/** The Reject modal: the core records the rejection; a missing reason or a refusal shows in the form. */
export function rejectVersionSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, RejectVersionMeta, reasonForm, REASON_FIELDS, async ({ s, session, input: reason, say }) => {
    const approvalType = ApprovalTypeSchema.parse(s.meta.type);
    const out = await session.account.decideVersion(session.actor, { versionId: s.meta.versionId, approvalType, decision: 'reject', reason });
    if (!out.changed) await say('You had already rejected it with this reason: nothing changed.');
  });
}

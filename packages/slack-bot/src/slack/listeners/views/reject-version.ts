import { ApprovalTypeSchema } from '@gatehouse/core';
import { RejectVersionMeta } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { reasonForm, submissionListener } from './submission.js';

/**
 * The Reject modal: a missing reason is refused in the form itself (no core work); otherwise
 * the modal closes (ack) and the core records the rejection. Refusals come back ephemerally.
 */
export function rejectVersionSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, RejectVersionMeta, reasonForm, async ({ s, session, input: reason, say }) => {
    const approvalType = ApprovalTypeSchema.parse(s.meta.type);
    const out = await session.account.decideVersion(session.actor, { versionId: s.meta.versionId, approvalType, decision: 'reject', reason });
    if (!out.changed) await say('You had already rejected it with this reason: nothing changed.');
  });
}

import { REASON_FIELDS, RejectReleaseMeta } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { esc } from '../../format.js';
import { reasonForm, submissionListener } from './submission.js';

/** The Reject release modal. */
export function rejectReleaseSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, RejectReleaseMeta, reasonForm, REASON_FIELDS, async ({ s, session, input: reason, say }) => {
    const out = await session.account.decideRelease(session.actor, { releaseId: s.meta.releaseId, decision: 'reject', reason });
    if (!out.changed) await say('You had already rejected this release with this reason: nothing changed.');
    // Opened from the ephemeral answer to `release <release>` (no message to update): the submitter is told.
    else if (!s.meta.ts) await say(`:x: You rejected the release *${esc(out.release.name)}*.`);
  });
}

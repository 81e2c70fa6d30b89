import type { ListenerDeps } from '../../context.js';
import { esc } from '../../format.js';
import { clickedId, clickListener } from './click.js';

/** Approve a release (release id in the value); idempotent in the core like version decisions. */
export function approveRelease(deps: ListenerDeps) {
  return clickListener(deps, clickedId, async ({ click, input: releaseId, session, say }) => {
    const out = await session.account.decideRelease(session.actor, { releaseId, decision: 'approve' });
    if (!out.changed) await say(`You had already approved the release *${esc(out.release.name)}*: nothing changed.`);
    // An approval message shows the decision itself; the ephemeral answer to `release <release>` cannot, so the clicker is told.
    else if (!click.message) await say(`:white_check_mark: You approved the release *${esc(out.release.name)}*.`);
  });
}

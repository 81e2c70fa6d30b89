import { TYPE_LABEL } from '../../blocks/approval.js';
import type { ListenerDeps } from '../../context.js';
import { esc } from '../../format.js';
import { clickListener, versionClick } from './click.js';

/**
 * Approve (type in the action_id suffix, version id in the value). The core authorises and is
 * idempotent: a second click, a retry or a racing approver records nothing more. The message
 * itself is updated by the notifier from the commit.
 */
export function approveVersion(deps: ListenerDeps) {
  return clickListener(deps, versionClick, async ({ input: { versionId, type }, session, say }) => {
    const out = await session.account.decideVersion(session.actor, { versionId, approvalType: type, decision: 'approve' });
    if (!out.changed) await say(`You had already approved *${TYPE_LABEL[type]}* for \`${esc(out.version.version)}\`: nothing changed.`);
  });
}

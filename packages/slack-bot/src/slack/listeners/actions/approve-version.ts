import { TYPE_LABEL } from '../../blocks/approval.js';
import type { ListenerDeps } from '../../context.js';
import { esc, userName } from '../../format.js';
import { clickListener, versionClick } from './click.js';

/**
 * Approve (type in the action_id suffix, version id in the value). The core authorises and is
 * idempotent: a second click, a retry or a racing approver records nothing more. The message
 * itself is updated by the notifier from the commit. On a rejected requirement ("Approve …
 * instead") the rejecter's approval withdraws their rejection; anyone else's is recorded, and they
 * are told whose rejection still stands.
 */
export function approveVersion(deps: ListenerDeps) {
  return clickListener(deps, versionClick, async ({ input: { versionId, type }, session, say }) => {
    const out = await session.account.decideVersion(session.actor, { versionId, approvalType: type, decision: 'approve' });
    if (!out.changed) {
      await say(`You had already approved *${TYPE_LABEL[type]}* for \`${esc(out.version.version)}\`: nothing changed.`);
      return;
    }
    const standing = [...new Set(out.evaluations.flatMap((e) => e.requirements.filter((r) => r.type === type).flatMap((r) => r.rejectedBy)))];
    if (standing.length) {
      const by = standing.map((u) => userName(session.names, u)).join(', ');
      await say(`Your *${TYPE_LABEL[type]}* approval is recorded, but it stays rejected until ${by} ${standing.length === 1 ? 'withdraws their rejection' : 'withdraw their rejections'}.`);
    }
  });
}

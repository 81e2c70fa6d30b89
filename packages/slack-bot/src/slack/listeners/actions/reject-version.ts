import { NotFoundError, approvalPermission } from '@gatehouse/core';
import { rejectVersionView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { clickListener, versionClick } from './click.js';
import { own } from '../../../rest/lookup.js';

/**
 * Reject… opens the reason modal (trigger_id is valid for 3 s, so right after ack). Someone who
 * cannot give this approval type is told so instead of being shown a form the core would refuse.
 */
export function rejectVersion(deps: ListenerDeps) {
  return clickListener(deps, versionClick, async ({ click, input: { versionId, type }, session, client }) => {
    const { account } = session;
    const v = own(account.view.versions, versionId);
    const p = v ? own(account.view.products, v.productId) : undefined;
    if (!v || !p) throw new NotFoundError('version', versionId);
    account.assertCan(session.actor, approvalPermission(type), p.teamId);
    await client.views.open({
      trigger_id: click.triggerId,
      view: rejectVersionView({ ...click.replyTo, versionId: v.id, type, ts: click.message?.ts ?? null }, `${p.name} ${v.version}`, type),
    });
  });
}

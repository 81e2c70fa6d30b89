import { NotFoundError } from '@gatehouse/core';
import { rejectReleaseView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { clickedId, clickListener } from './click.js';
import { own } from '../../../rest/lookup.js';

/** Reject release… opens the reason modal for those who may approve releases. */
export function rejectRelease(deps: ListenerDeps) {
  return clickListener(deps, clickedId, async ({ click, input: releaseId, session, client }) => {
    const { account } = session;
    const r = own(account.view.releases, releaseId);
    const p = r ? own(account.view.products, r.productId) : undefined;
    if (!r || !p) throw new NotFoundError('release', releaseId);
    account.assertCan(session.actor, 'release:approve', p.teamId);
    await client.views.open({ trigger_id: click.triggerId, view: rejectReleaseView({ ...click.replyTo, releaseId: r.id, ts: click.message?.ts ?? null }, r.name) });
  });
}

import { NotFoundError, RequestNotPendingError } from '@gatehouse/core';
import { denyAccessView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { esc, roleName, teamName, who } from '../../format.js';
import { formatDuration } from '../../parse.js';
import { clickedId, clickListener } from './click.js';
import { own } from '../../../rest/lookup.js';

/** Deny… opens the reason modal (a denial needs a reason) for those who may decide. */
export function denyAccess(deps: ListenerDeps) {
  return clickListener(deps, clickedId, async ({ click, input: requestId, session, client }) => {
    const { account, names } = session;
    const r = own(account.view.requests, requestId);
    if (!r) throw new NotFoundError('access request', requestId);
    if (r.status !== 'pending') throw new RequestNotPendingError(`this request was already ${r.status} by ${r.decidedBy ?? 'someone'}`, { requestId: r.id, status: r.status, decidedBy: r.decidedBy });
    account.assertCan(session.actor, 'user_role:manage', r.teamId);
    if (click.message) deps.notifier.rememberRequestMessage(account.id, r.id, click.message);
    const summary = `Deny ${who(r.userId)} *${esc(roleName(names, r.roleId))}* ${r.teamId ? `in ${esc(teamName(names, r.teamId))}` : 'globally'} for ${formatDuration(r.durationMs)}?`;
    await client.views.open({ trigger_id: click.triggerId, view: denyAccessView({ ...click.replyTo, requestId: r.id, ts: click.message?.ts ?? null, list: click.ephemeral }, summary) });
  });
}

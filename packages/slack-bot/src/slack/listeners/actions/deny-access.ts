import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ForbiddenError, GatehouseError, NotFoundError } from '@gatehouse/core';
import { reply } from '../../blocks/common.js';
import { denyAccessView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { roleName, teamName, who } from '../../format.js';
import { formatDuration } from '../../parse.js';
import { parseClick } from './click.js';

/** Deny… opens the reason modal (a denial needs a reason) for those who may decide. */
export function denyAccess(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      try {
        const { account, names } = session;
        const r = account.view.requests[click.value];
        if (!r) throw new NotFoundError('access request', click.value);
        if (r.status !== 'pending') throw new GatehouseError('request_not_pending', `this request was already ${r.status} by ${who(r.decidedBy ?? 'system')}`, { requestId: r.id, status: r.status });
        const d = account.explain(click.user.id, 'user_role:manage', r.teamId);
        if (!d.allowed) throw new ForbiddenError(d.denial);
        if (click.message) deps.notifier.rememberRequestMessage(account.id, r.id, click.message);
        const summary = `Deny ${who(r.userId)} *${roleName(names, r.roleId)}* ${r.teamId ? `in ${teamName(names, r.teamId)}` : 'globally'} for ${formatDuration(r.durationMs)}?`;
        await client.views.open({ trigger_id: click.triggerId, view: denyAccessView({ ...click.replyTo, requestId: r.id, ts: click.message?.ts ?? null }, summary) });
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

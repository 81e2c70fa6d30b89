import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ApprovalTypeSchema, ForbiddenError, NotFoundError, approvalPermission } from '@gatehouse/core';
import { reply } from '../../blocks/common.js';
import { rejectVersionView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { actionSuffix } from '../../ids.js';
import { parseClick } from './click.js';

/**
 * Reject… opens the reason modal (trigger_id is valid for 3 s, so right after ack). Someone who
 * cannot give this approval type is told so instead of being shown a form the core would refuse.
 */
export function rejectVersion(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const type = ApprovalTypeSchema.parse(actionSuffix(click.actionId));
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      try {
        const { account } = session;
        const v = account.view.versions[click.value];
        const p = v ? account.view.products[v.productId] : undefined;
        if (!v || !p) throw new NotFoundError('version', click.value);
        const d = account.explain(click.user.id, approvalPermission(type), p.teamId);
        if (!d.allowed) throw new ForbiddenError(d.denial);
        await client.views.open({
          trigger_id: click.triggerId,
          view: rejectVersionView({ ...click.replyTo, versionId: v.id, type, ts: click.message?.ts ?? null }, `${p.name} ${v.version}`, type),
        });
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ForbiddenError, NotFoundError } from '@gatehouse/core';
import { reply } from '../../blocks/common.js';
import { rejectReleaseView } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { parseClick } from './click.js';

/** Reject release… opens the reason modal for those who may approve releases. */
export function rejectRelease(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      try {
        const { account } = session;
        const r = account.view.releases[click.value];
        const p = r ? account.view.products[r.productId] : undefined;
        if (!r || !p) throw new NotFoundError('release', click.value);
        const d = account.explain(click.user.id, 'release:approve', p.teamId);
        if (!d.allowed) throw new ForbiddenError(d.denial);
        await client.views.open({ trigger_id: click.triggerId, view: rejectReleaseView({ ...click.replyTo, releaseId: r.id, ts: click.message?.ts ?? null }, r.name) });
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

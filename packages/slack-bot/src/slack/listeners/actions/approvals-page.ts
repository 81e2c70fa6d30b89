import { z } from 'zod';
import { approvalsMessage } from '../../blocks/home.js';
import type { ListenerDeps } from '../../context.js';
import { answer, answerEphemeral } from '../../context.js';
import { waitingFor } from '../../home.js';
import { clickListener } from './click.js';

/** A page button of `approvals` (the page in the value): that page, in place of the list. */
export function approvalsPageClicked(deps: ListenerDeps) {
  return clickListener(
    deps,
    (click) => z.coerce.number().int().min(1).parse(click.value),
    async ({ click, input: page, session, client }) => {
      const msg = approvalsMessage(session.names, waitingFor(session.account, click.user.id), page, deps.config.SLACK_COMMAND);
      if (!(await answerEphemeral(client, click.replyTo, click.user.id, msg, true))) await answer(client, click.replyTo, click.user.id, msg);
    },
  );
}

import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ApprovalTypeSchema } from '@gatehouse/core';
import { TYPE_LABEL } from '../../blocks/approval.js';
import { reply } from '../../blocks/common.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answer, enter, refusal } from '../../context.js';
import { esc } from '../../format.js';
import { actionSuffix } from '../../ids.js';
import { parseClick } from './click.js';

/**
 * Approve (type in the action_id suffix, version id in the value). The core authorises and is
 * idempotent: a second click, a retry or a racing approver records nothing more. The message
 * itself is updated by the notifier from the commit.
 */
export function approveVersion(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const click = parseClick(body);
      const type = ApprovalTypeSchema.parse(actionSuffix(click.actionId));
      const session = await enter(deps, click.teamId, click.user);
      if ('refusal' in session) return answer(client, click.replyTo, click.user.id, reply(session.refusal));
      try {
        const out = await session.account.decideVersion(session.actor, { versionId: click.value, approvalType: type, decision: 'approve' });
        if (!out.changed) await answer(client, click.replyTo, click.user.id, reply(`You had already approved *${TYPE_LABEL[type]}* for \`${esc(out.version.version)}\`: nothing changed.`));
      } catch (err) {
        await answer(client, click.replyTo, click.user.id, refusal(err, session.names, deps.config.SLACK_COMMAND));
      }
    });
  };
}

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import { ReplyTo, readAssign } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import { assignments, esc, roleName, teamName, when, who } from '../../format.js';
import { ensureUserFromSlack } from '../../users.js';
import { parseSubmission } from './submission.js';

/** The assign-a-role form: user, role, team, expiry. Governance is the core's (rules 1–4). */
export function assignRoleSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const s = parseSubmission(body, ReplyTo);
    const form = readAssign(s.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    const session = await enter(deps, s.teamId, s.user);
    if ('refusal' in session) return answer(client, s.meta, s.user.id, reply(session.refusal));
    const { account, actor, names } = session;
    const i = form.input;
    try {
      await ensureUserFromSlack(client, account, i.userId);
      const res = await account.assignRole(actor, { subject: { type: 'user', id: i.userId }, roleId: i.roleId, teamId: i.teamId, ...(i.durationMs ? { durationMs: i.durationMs } : {}) });
      const where = i.teamId === null ? 'globally' : `in *${esc(teamName(names, i.teamId))}*`;
      const until = res.grant?.expiresAt ? ` until ${when(res.grant.expiresAt)}` : '';
      const head = res.changed ? `:white_check_mark: ${who(i.userId)} now holds *${esc(roleName(names, i.roleId))}* ${where}${until}.` : `${who(i.userId)} already holds *${esc(roleName(names, i.roleId))}* ${where}: nothing changed.`;
      await answer(client, s.meta, s.user.id, reply(`${head}\nTheir roles: ${assignments(names, account.roles(i.userId))}`));
    } catch (err) {
      await answer(client, s.meta, s.user.id, refusal(err, names, deps.config.SLACK_COMMAND));
    }
  };
}

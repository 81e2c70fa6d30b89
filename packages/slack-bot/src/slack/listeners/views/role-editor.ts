import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { closePermissions } from '@gatehouse/core';
import { reply } from '../../blocks/common.js';
import { RoleEditorMeta, readRoleEditor } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import { esc } from '../../format.js';
import { parseSubmission } from './submission.js';

/** The custom-role editor: creates a role, or edits / renames the one in private_metadata. */
export function roleEditorSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const s = parseSubmission(body, RoleEditorMeta);
    const form = readRoleEditor(s.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    const session = await enter(deps, s.teamId, s.user);
    if ('refusal' in session) return answer(client, s.meta, s.user.id, reply(session.refusal));
    const { account, actor, names } = session;
    try {
      const role = s.meta.roleId ? await account.updateRole(actor, { roleId: s.meta.roleId, ...form.input }) : await account.createRole(actor, form.input);
      await answer(client, s.meta, s.user.id, reply(`:white_check_mark: ${s.meta.roleId ? 'Saved' : 'Created'} the custom role *${esc(role.name)}* (\`${role.id}\`, ${role.scope}) with ${closePermissions(role.permissions).size} permissions. Grant it with \`${deps.config.SLACK_COMMAND} assign @user ${role.id}${role.scope === 'team' ? ' <team>' : ''}\`.`));
    } catch (err) {
      await answer(client, s.meta, s.user.id, refusal(err, names, deps.config.SLACK_COMMAND));
    }
  };
}

import { closePermissions } from '@gatehouse/core';
import { RoleEditorMeta, readRoleEditor, roleEditorField } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { esc } from '../../format.js';
import { submissionListener } from './submission.js';

/** The custom-role editor: creates a role, or edits / renames the one in private_metadata. */
export function roleEditorSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, RoleEditorMeta, readRoleEditor, roleEditorField, async ({ s, session, input, say }) => {
    const { account, actor } = session;
    const role = s.meta.roleId ? await account.updateRole(actor, { roleId: s.meta.roleId, ...input }) : await account.createRole(actor, input);
    await say(`:white_check_mark: ${s.meta.roleId ? 'Saved' : 'Created'} the custom role *${esc(role.name)}* (\`${role.id}\`, ${role.scope}) with ${closePermissions(role.permissions).size} permissions. Grant it with \`${deps.config.SLACK_COMMAND} assign @user ${role.id}${role.scope === 'team' ? ' <team>' : ''}\`.`);
  });
}

import type { App, BlockAction } from '@slack/bolt';
import type { ListenerDeps } from '../context.js';
import { OPTIONS_PREFIX } from '../blocks/form.js';
import { ACTION, VIEW, actionPattern } from '../ids.js';
import { ackUnhandled, repeatedRequest, skipRepeats } from '../middleware.js';
import { approveAccess } from './actions/approve-access.js';
import { approveRelease } from './actions/approve-release.js';
import { approvalsPageClicked } from './actions/approvals-page.js';
import { approveVersion } from './actions/approve-version.js';
import { denyAccess } from './actions/deny-access.js';
import { rejectRelease } from './actions/reject-release.js';
import { rejectVersion } from './actions/reject-version.js';
import { setupKeyClicked } from './actions/setup-key.js';
import { slashCommand } from './commands/gatehouse.js';
import { pickerOptions } from './options/picker-options.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { userChanged } from './events/user-change.js';
import { assignRoleSubmitted } from './views/assign-role.js';
import { denyAccessSubmitted } from './views/deny-access.js';
import { rejectReleaseSubmitted } from './views/reject-release.js';
import { rejectVersionSubmitted } from './views/reject-version.js';
import { requestAccessSubmitted } from './views/request-access.js';
import { roleEditorSubmitted } from './views/role-editor.js';
import { ruleEditorSubmitted } from './views/rule-editor.js';
import { setupSubmitted } from './views/setup.js';

/** Every listener of the app: one slash command, the buttons, the modals and their pickers' options, Slack user changes, the App Home. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.use(skipRepeats(repeatedRequest(deps.seen, deps.gatehouse.store, deps.logger), deps.logger));
  const actions = Object.values(ACTION);
  const pickers = new RegExp(`^${OPTIONS_PREFIX}`);
  app.use(ackUnhandled({ command: deps.config.SLACK_COMMAND, actions: actions.map(actionPattern), views: Object.values(VIEW), options: [pickers] }, deps.logger));

  app.command(deps.config.SLACK_COMMAND, slashCommand(deps));

  const button = (prefix: Parameters<typeof actionPattern>[0]) => ({ type: 'block_actions' as const, action_id: actionPattern(prefix) });
  app.action<BlockAction>(button(ACTION.versionApprove), approveVersion(deps));
  app.action<BlockAction>(button(ACTION.versionReject), rejectVersion(deps));
  app.action<BlockAction>(button(ACTION.releaseApprove), approveRelease(deps));
  app.action<BlockAction>(button(ACTION.releaseReject), rejectRelease(deps));
  app.action<BlockAction>(button(ACTION.accessApprove), approveAccess(deps));
  app.action<BlockAction>(button(ACTION.accessDeny), denyAccess(deps));
  app.action<BlockAction>(button(ACTION.setupKey), setupKeyClicked(deps));
  app.action<BlockAction>(button(ACTION.approvalsPage), approvalsPageClicked(deps));

  app.view({ callback_id: VIEW.rejectVersion, type: 'view_submission' }, rejectVersionSubmitted(deps));
  app.view({ callback_id: VIEW.rejectRelease, type: 'view_submission' }, rejectReleaseSubmitted(deps));
  app.view({ callback_id: VIEW.denyAccess, type: 'view_submission' }, denyAccessSubmitted(deps));
  app.view({ callback_id: VIEW.assignRole, type: 'view_submission' }, assignRoleSubmitted(deps));
  app.view({ callback_id: VIEW.requestAccess, type: 'view_submission' }, requestAccessSubmitted(deps));
  app.view({ callback_id: VIEW.roleEditor, type: 'view_submission' }, roleEditorSubmitted(deps));
  app.view({ callback_id: VIEW.ruleEditor, type: 'view_submission' }, ruleEditorSubmitted(deps));
  app.view({ callback_id: VIEW.setup, type: 'view_submission' }, setupSubmitted(deps));

  // The options of pickers too long for a static select (block_suggestion; same endpoint as the rest).
  app.options({ type: 'block_suggestion', action_id: pickers }, pickerOptions(deps));

  app.event('user_change', userChanged(deps));
  app.event('app_home_opened', appHomeOpened(deps));
}

/**
 * Every action_id and callback_id the app uses. Buttons that repeat in one message carry a
 * suffix (`version_approve:qa`, `access_approve:req_1`) so each action_id is unique in its
 * message; listeners match the prefix.
 */
export const ACTION = {
  versionApprove: 'version_approve',
  versionReject: 'version_reject',
  releaseApprove: 'release_approve',
  releaseReject: 'release_reject',
  accessApprove: 'access_approve',
  accessDeny: 'access_deny',
  setupKey: 'setup_key',
  /** The page buttons of `approvals` (the page number in the value). */
  approvalsPage: 'approvals_page',
} as const;
export type ActionPrefix = (typeof ACTION)[keyof typeof ACTION];

/** callback_id of each modal. */
export const VIEW = {
  rejectVersion: 'reject_version',
  rejectRelease: 'reject_release',
  denyAccess: 'deny_access',
  assignRole: 'assign_role',
  requestAccess: 'request_access',
  roleEditor: 'role_editor',
  ruleEditor: 'rule_editor',
  setup: 'setup',
} as const;
export type ViewId = (typeof VIEW)[keyof typeof VIEW];

/** `<prefix>:<suffix>` */
export function actionId(prefix: ActionPrefix, suffix: string): string {
  return `${prefix}:${suffix}`;
}

/** Matches `prefix` and `prefix:<anything>` (line breaks too: an action_id is any text Slack echoes back). */
export function actionPattern(prefix: ActionPrefix): RegExp {
  return new RegExp(`^${prefix}(?::[\\s\\S]*)?$`);
}

/** The suffix of an action_id built by `actionId` (empty when there is none). */
export function actionSuffix(id: string): string {
  const i = id.indexOf(':');
  return i < 0 ? '' : id.slice(i + 1);
}

/** Path of the Slack endpoint in HTTP mode (events, commands and interactivity share it). */
export const SLACK_EVENTS_PATH = '/slack/events';

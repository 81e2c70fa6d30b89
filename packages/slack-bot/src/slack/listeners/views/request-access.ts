import { ReplyTo } from '../../blocks/form.js';
import { REQUEST_FIELDS, readRequest } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { esc, roleName, teamName } from '../../format.js';
import { formatDuration } from '../../parse.js';
import { submissionListener } from './submission.js';

/** The request-access form; the approvers' message is posted by the notifier from the commit. */
export function requestAccessSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, ReplyTo, readRequest, REQUEST_FIELDS, async ({ session, input, say }) => {
    const { account, actor, names } = session;
    const r = await account.requestAccess(actor, input);
    await say(`:inbox_tray: Requested *${esc(roleName(names, r.roleId))}* ${r.teamId ? `in *${esc(teamName(names, r.teamId))}*` : 'globally'} for *${formatDuration(r.durationMs)}* (\`${r.id}\`). You will get a DM with the answer.`);
  });
}

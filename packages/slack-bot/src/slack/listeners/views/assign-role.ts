import { ReplyTo } from '../../blocks/form.js';
import { ASSIGN_FIELDS, readAssign } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { assignments, esc, roleName, teamName, when, who } from '../../format.js';
import { ensureUserFromSlack } from '../../users.js';
import { submissionListener } from './submission.js';

/** The assign-a-role form: user, role, team, expiry. Governance is the core's (rules 1–4). */
export function assignRoleSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, ReplyTo, readAssign, ASSIGN_FIELDS, async ({ session, input: i, client, say }) => {
    const { account, actor, names } = session;
    await ensureUserFromSlack(client, account, i.userId);
    const res = await account.assignRole(actor, { subject: { type: 'user', id: i.userId }, roleId: i.roleId, teamId: i.teamId, ...(i.durationMs ? { durationMs: i.durationMs } : {}) });
    const where = i.teamId === null ? 'globally' : `in *${esc(teamName(names, i.teamId))}*`;
    const until = res.grant?.expiresAt ? ` until ${when(res.grant.expiresAt)}` : '';
    const head = res.changed ? `:white_check_mark: ${who(i.userId)} now holds *${esc(roleName(names, i.roleId))}* ${where}${until}.` : `${who(i.userId)} already holds *${esc(roleName(names, i.roleId))}* ${where}: nothing changed.`;
    await say(`${head}\nTheir roles: ${assignments(names, account.roles(i.userId))}`);
  });
}

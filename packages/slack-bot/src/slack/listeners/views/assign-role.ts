import { ReplyTo } from '../../blocks/form.js';
import { ASSIGN_FIELDS, readAssign } from '../../blocks/modals.js';
import { assignedText } from '../../blocks/replies.js';
import type { ListenerDeps } from '../../context.js';
import { assignments, who } from '../../format.js';
import { ensureUserFromSlack } from '../../users.js';
import { submissionListener } from './submission.js';

/** The assign-a-role form: user, role, team, expiry. Governance is the core's (rules 1–4). */
export function assignRoleSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, ReplyTo, readAssign, ASSIGN_FIELDS, async ({ session, input: i, client, say }) => {
    const { account, actor, names } = session;
    await ensureUserFromSlack(client, account, i.userId);
    const asked = i.durationMs ? deps.gatehouse.clock.now() + i.durationMs : null;
    const res = await account.assignRole(actor, { subject: { type: 'user', id: i.userId }, roleId: i.roleId, teamId: i.teamId, ...(i.durationMs ? { durationMs: i.durationMs } : {}) });
    const head = assignedText(names, who(i.userId), i.roleId, i.teamId, res, asked);
    await say(res.changed ? `${head}\nTheir roles: ${assignments(names, account.roles(i.userId))}` : head);
  });
}

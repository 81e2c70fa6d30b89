import type { AccessRequest, Grant } from '@gatehouse/core';
import { pendingRequestsMessage } from '../blocks/access.js';
import type { Message } from '../blocks/common.js';
import { reply } from '../blocks/common.js';
import type { Session } from '../context.js';
import { requestAccessView } from '../blocks/modals.js';
import { usageMessage } from '../blocks/replies.js';
import { esc, roleName, teamName } from '../format.js';
import { formatDuration, indexOfWord, joinTokens, parseDuration, wordAt } from '../parse.js';
import { requireRole, requireTeam } from './resolve.js';
import type { Subcommand } from './types.js';

/** `request` (form) or `request <role> [team] for <duration> because <reason>`; `requests`. */
export const request: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  if (args.length === 0) {
    await ctx.openModal(requestAccessView(ctx.replyTo, account.listRoles(), Object.values(account.view.teams)));
    return null;
  }
  const forAt = indexOfWord(args, 'for');
  const because = indexOfWord(args, 'because', forAt + 1);
  if (forAt < 1 || because < 0 || because === args.length - 1) return usageMessage(ctx.cmd, 'request', 'Say for how long (`for 8h`) and why (`because …`).');
  const { role, next } = requireRole(account, args.slice(0, forAt), 0);
  if (next < forAt - 1) return usageMessage(ctx.cmd, 'request', `I could not read \`${esc(joinTokens(args.slice(next, forAt)))}\` as a team.`);
  const teamId = next === forAt - 1 ? requireTeam(account, wordAt(args, next) ?? '') : null;
  const durationMs = parseDuration(joinTokens(args.slice(forAt + 1, because)));
  if (durationMs === null) return usageMessage(ctx.cmd, 'request', 'Durations look like `30m`, `8h`, `2d` or `1w`.');
  const reason = joinTokens(args.slice(because + 1));
  const r = await account.requestAccess(actor, { roleId: role.id, teamId, durationMs, reason });
  return reply(
    `:inbox_tray: Requested *${esc(roleName(names, r.roleId))}* ${r.teamId ? `in *${esc(teamName(names, r.teamId))}*` : 'globally'} for *${formatDuration(r.durationMs)}* (\`${r.id}\`). The approvers were asked; you will get a DM with their answer.`,
  );
};

/**
 * The `requests` list of the session's user: pending requests they may decide (or made), oldest
 * first; after a decision from the list, `decided` in its place.
 */
export function requestsList(session: Session, cmd: string, decided: { request: AccessRequest; grant: Grant | null } | null = null): Message {
  const { account, actor, names } = session;
  const listed = Object.values(account.view.requests).filter(
    (r) => r.id === decided?.request.id || (r.status === 'pending' && (r.userId === actor.userId || account.can(actor.userId, 'user_role:manage', r.teamId))),
  );
  return pendingRequestsMessage(names, cmd, listed, decided);
}

/** Pending requests the asker may decide (or made). */
export const requests: Subcommand = (ctx) => Promise.resolve(requestsList(ctx.session, ctx.cmd));

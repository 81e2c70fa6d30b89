import { APPROVAL_TYPES } from '@gatehouse/core';
import type { ApprovalType } from '@gatehouse/core';
import { reply } from '../blocks/common.js';
import { delegationLines, usageMessage } from '../blocks/replies.js';
import { TYPE_LABEL } from '../blocks/approval.js';
import { esc, when, who } from '../format.js';
import { parseDuration, wordAt } from '../parse.js';
import { requireUserRef } from './resolve.js';
import type { Subcommand } from './types.js';

const DAY = 86_400_000;

/** `until 2026-12-24` (the end of that day, UTC) or `for 2w`: the end of a delegation, or null. */
function endOf(words: readonly string[], now: number): number | null {
  const i = words.findIndex((w) => w === 'until' || w === 'for');
  const value = words[i + 1];
  if (i < 0 || !value) return null;
  if (words[i] === 'for') {
    const ms = parseDuration(value);
    return ms === null ? null : now + ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY : null;
}


/**
 * `delegate @user [types…] until <YYYY-MM-DD> | for <duration>`, `delegate remove <id | @user>`,
 * `delegations`: an approver names a stand-in while away. The core checks every decision made
 * through a delegation (in force, allowed by the rule, never more than the delegator holds then).
 */
export const delegate: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  const first = wordAt(args, 0)?.toLowerCase();
  if (first === 'remove') {
    const target = args[1];
    const mine = account.delegationsOf(actor.userId).filter((d) => d.delegatorId === actor.userId);
    const id = target?.kind === 'user' ? mine.find((d) => d.delegateId === requireUserRef(account, target))?.id : wordAt(args, 1);
    if (!id) return usageMessage(ctx.cmd, 'delegate', mine.length ? 'Name the delegation to end: its id or the delegate.' : 'You have no delegation in force.');
    await account.undelegate(actor, { delegationId: id });
    return reply(`:white_check_mark: Delegation \`${esc(id)}\` ended.`);
  }
  if (args[0]?.kind !== 'user') return usageMessage(ctx.cmd, 'delegate', 'Mention who stands in for you.');
  const delegateId = requireUserRef(account, args[0]);
  const words = args.slice(1).map((t) => (t.kind === 'word' ? t.text.toLowerCase() : ''));
  const until = endOf(words, ctx.deps.gatehouse.clock.now());
  if (until === null) return usageMessage(ctx.cmd, 'delegate', 'Say until when: `until 2026-12-24` or `for 2w`.');
  const stop = words.findIndex((w) => w === 'until' || w === 'for');
  const named = words.slice(0, stop).filter(Boolean);
  const unknown = named.filter((w) => !(APPROVAL_TYPES as readonly string[]).includes(w));
  if (unknown.length) return usageMessage(ctx.cmd, 'delegate', `\`${esc(unknown.join(' '))}\` is not an approval type: use ${APPROVAL_TYPES.join(', ')}.`);
  const types = named.length ? (named as ApprovalType[]) : null;
  const d = await account.delegate(actor, { delegateId, types, until });
  return reply(`:handshake: ${who(delegateId)} may give ${d.types ? d.types.map((t) => `*${TYPE_LABEL[t]}*`).join(', ') : '*all your approvals*'} on your behalf until ${when(d.until)} — never more than you hold when they decide, and not where a rule forbids it. End it early with \`${ctx.cmd} delegate remove\` ${who(delegateId)}.`);
};

export const delegations: Subcommand = (ctx) => {
  const { account, actor } = ctx.session;
  const lines = delegationLines(account.delegationsOf(actor.userId), actor.userId);
  return Promise.resolve(reply(lines.length ? `*Delegations in force*\n${lines.join('\n')}` : `No delegation in force. Name a stand-in with \`${ctx.cmd} delegate @user [types] until <date>\`.`));
};

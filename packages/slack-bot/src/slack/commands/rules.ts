import type { Environment, Product } from '@gatehouse/core';
import { ruleSummary, ruleTarget, rulesMessage } from '../blocks/catalog.js';
import { reply } from '../blocks/common.js';
import { findRule, ruleEditorView } from '../blocks/rules.js';
import { usageMessage } from '../blocks/replies.js';
import { esc } from '../format.js';
import type { Token } from '../parse.js';
import { wordAt } from '../parse.js';
import { requireEnvironment, requireProduct } from './resolve.js';
import type { CommandContext, Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `rules`, `rule <environment> [product]`, `rule set|delete <environment> [product]`. */

export const rules: Subcommand = (ctx) => Promise.resolve(rulesMessage(ctx.session.names, Object.values(ctx.session.account.view.rules)));

/** `<environment> [product]` from `from` on; a problem in words when they do not fit together. */
function target(ctx: CommandContext, args: readonly Token[], from: number): { environment: Environment; product: Product | null } | { problem: string } {
  const { account } = ctx.session;
  if (args.length <= from) return { problem: 'Name the environment (and the product, for a rule of one product).' };
  if (args.length > from + 2) return { problem: 'Name one environment and at most one product.' };
  const environment = requireEnvironment(account, wordAt(args, from));
  const product = args.length > from + 1 ? requireProduct(account, wordAt(args, from + 1)) : null;
  if (product && environment.productId && environment.productId !== product.id) {
    return { problem: `*${esc(environment.name)}* is an environment of *${esc(own(account.view.products, environment.productId)?.name ?? environment.productId)}*, not of *${esc(product.name)}*.` };
  }
  return { environment, product };
}

export const rule: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const acting = verb === 'set' || verb === 'delete';
  const t = target(ctx, args, acting ? 1 : 0);
  if ('problem' in t) return usageMessage(ctx.cmd, 'rules', t.problem);
  const meta = { environmentId: t.environment.id, productId: t.product?.id ?? null };
  const existing = findRule(account.view, meta.environmentId, meta.productId);
  const where = ruleTarget(names, meta);
  const ref = `${t.environment.id}${t.product ? ` ${t.product.id}` : ''}`;
  const wide = meta.productId ? findRule(account.view, meta.environmentId, null) : null;
  const alsoWide = wide ? ` The rule for every product applies too: ${ruleSummary(wide)}.` : '';
  if (verb === 'set') {
    // The form is only for those who may save it (the core checks again on submit).
    const productId = t.product?.id ?? t.environment.productId;
    account.assertCan(actor, 'deployment_rule:manage', productId ? { productId } : null);
    await ctx.openModal(ruleEditorView(names, { ...ctx.replyTo, ...meta }));
    return null;
  }
  if (verb === 'delete') {
    if (!existing) return reply(`Nothing changed: there is no rule for ${where}.`);
    await account.deleteRule(actor, { ruleId: existing.id });
    return reply(`:wastebasket: Deleted the rule for ${where}.${alsoWide || ' Versions go there without approvals now.'}`);
  }
  if (!existing) return reply(`No rule for ${where}.${alsoWide || ' Versions go there without approvals.'} Set one with \`${ctx.cmd} rule set ${ref}\`.`);
  return reply(`*Rule for ${where}*: ${ruleSummary(existing)}.${alsoWide}\nChange it with \`${ctx.cmd} rule set ${ref}\`.`);
};

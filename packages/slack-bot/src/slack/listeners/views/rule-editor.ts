import { ruleSummary, ruleTarget } from '../../blocks/catalog.js';
import { RULE_FIELDS, RuleEditorMeta, findRule, readRuleForm } from '../../blocks/rules.js';
import type { ListenerDeps } from '../../context.js';
import { submissionListener } from './submission.js';

/** The deployment-rule form: updates the rule of the environment (and product), or creates it. */
export function ruleEditorSubmitted(deps: ListenerDeps) {
  return submissionListener(deps, RuleEditorMeta, readRuleForm, RULE_FIELDS, async ({ s, session, input, say }) => {
    const { account, actor, names } = session;
    const { environmentId, productId } = s.meta;
    const before = findRule(account.view, environmentId, productId);
    const rule = before ? await account.updateRule(actor, { ruleId: before.id, ...input }) : await account.createRule(actor, { environmentId, productId, ...input });
    const what = `the rule for ${ruleTarget(names, rule)}: ${ruleSummary(rule)}`;
    await say(!before ? `:white_check_mark: Created ${what}.` : JSON.stringify(rule) === JSON.stringify(before) ? `Nothing changed in ${what}.` : `:white_check_mark: Saved ${what}.`);
  });
}

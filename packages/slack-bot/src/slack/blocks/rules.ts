import type { AccountState, ApprovalType, DeploymentRule, Requirement } from '@gatehouse/core';
import { APPROVAL_TYPES, STATIC_ROLES, approvalPermission, closePermissions } from '@gatehouse/core';
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { Names } from '../format.js';
import { VIEW } from '../ids.js';
import { TYPE_LABEL } from './approval.js';
import { ruleSummary, ruleTarget } from './catalog.js';
import { context, option, section } from './common.js';
import type { RefusalFields, StateValues } from './form.js';
import { ReplyTo, checkboxesInput, checked, modal, selectInput, selected } from './form.js';

/**
 * The deployment-rule form (`rule set`, and the last step of `setup`): a quorum per approval
 * type, separation of duties and release approval.
 */

/** What a rule asks, as the form edits it. */
export type RuleSettings = Pick<DeploymentRule, 'requirements' | 'requireReleaseApproval' | 'separationOfDuties'>;

/** A new rule's starting point: one QA approval, the creator may not approve. */
export const DEFAULT_RULE: RuleSettings = { requirements: [{ type: 'qa', quorum: 1 }], requireReleaseApproval: false, separationOfDuties: true };

const MAX_QUORUM = 10;
const quorumBlock = (t: ApprovalType) => `quorum:${t}`;

/** The static roles that give an approval type (Admin gives every one). */
function giversOf(t: ApprovalType): string {
  return Object.values(STATIC_ROLES)
    .filter((r) => r.id !== 'admin' && closePermissions(r.permissions).has(approvalPermission(t)))
    .map((r) => r.name)
    .join(', ');
}

/** The rule's inputs: one quorum select per approval type, then the two switches. */
export function ruleInputs(rule: RuleSettings): KnownBlock[] {
  const options = [option('Not required', '0'), ...Array.from({ length: MAX_QUORUM }, (_, i) => option(i === 0 ? '1 approver' : `${i + 1} distinct approvers`, String(i + 1)))];
  const blocks: KnownBlock[] = APPROVAL_TYPES.map((t) => {
    const quorum = rule.requirements.find((r) => r.type === t)?.quorum ?? 0;
    const givers = giversOf(t);
    return selectInput(quorumBlock(t), t === 'release' ? 'Release manager approval (of the version)' : `${TYPE_LABEL[t]} approval`, options, String(Math.min(quorum, MAX_QUORUM)), { hint: givers ? `Given by ${givers} and Admins` : 'Given by Admins' });
  });
  const on = new Set([...(rule.separationOfDuties ? ['sod'] : []), ...(rule.requireReleaseApproval ? ['release'] : [])]);
  blocks.push(
    checkboxesInput(
      'checks',
      'Options',
      [option('Separation of duties: the creator cannot approve', 'sod'), option("The version's release must be approved", 'release')],
      on,
      'Release approval needs the version to be in a release and someone with release:approve to approve it.',
    ),
  );
  return blocks;
}

/** Reads the rule's inputs; an error when nothing at all would be required. */
export function readRuleForm(values: StateValues): { ok: true; input: RuleSettings } | { ok: false; errors: Record<string, string> } {
  const requirements: Requirement[] = APPROVAL_TYPES.flatMap((type) => {
    const quorum = Number(selected(values, quorumBlock(type)) ?? '0');
    return Number.isInteger(quorum) && quorum > 0 ? [{ type, quorum }] : [];
  });
  const checks = checked(values, 'checks');
  const input: RuleSettings = { requirements, separationOfDuties: checks.has('sod'), requireReleaseApproval: checks.has('release') };
  if (requirements.length === 0 && !input.requireReleaseApproval) return { ok: false, errors: { [quorumBlock('qa')]: 'Require at least one approval (to let everything through, delete the rule instead)' } };
  return { ok: true, input };
}

/** Where the core's refusals of a rule show in its inputs: on the first quorum, or on the two switches. */
export const RULE_FIELDS: RefusalFields = {
  fallback: quorumBlock(APPROVAL_TYPES[0]),
  paths: { requireReleaseApproval: 'checks', separationOfDuties: 'checks' },
};

export const RuleEditorMeta = ReplyTo.extend({ environmentId: z.string(), productId: z.string().nullable().default(null) });
export type RuleEditorMeta = z.infer<typeof RuleEditorMeta>;

/** The rule for exactly this environment and product (null = the environment's rule for every product). */
export function findRule(state: Readonly<AccountState>, environmentId: string, productId: string | null): DeploymentRule | null {
  return Object.values(state.rules).find((r) => r.environmentId === environmentId && r.productId === productId) ?? null;
}

/** `rule set`: the form for the rule of an environment (and product), prefilled from the rule when there is one. */
export function ruleEditorView(n: Names, meta: RuleEditorMeta): ModalView {
  const rule = findRule(n.state, meta.environmentId, meta.productId);
  const wide = meta.productId ? findRule(n.state, meta.environmentId, null) : null;
  const target = ruleTarget(n, meta);
  const now = rule ? `The rule for ${target} asks now: ${ruleSummary(rule)}.` : `No rule for ${target} yet.${wide ? '' : ' Versions go there without approvals.'}`;
  const blocks: KnownBlock[] = [
    section(`${now}${wide ? ` The rule for every product applies too: ${ruleSummary(wide)}.` : ''}`),
    ...ruleInputs(rule ?? DEFAULT_RULE),
    context('Each required type needs that many distinct approvers; a single rejection blocks until it is withdrawn.'),
  ];
  return modal(VIEW.ruleEditor, 'Deployment rule', rule ? 'Save' : 'Create rule', blocks, meta);
}

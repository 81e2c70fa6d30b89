import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reply } from '../../blocks/common.js';
import { refusalField } from '../../blocks/form.js';
import type { StepInput } from '../../blocks/setup.js';
import { SetupMeta, readSetupStep, setupConflict, setupFields, setupSavingView, setupView } from '../../blocks/setup.js';
import { findRule } from '../../blocks/rules.js';
import type { ListenerDeps, Session } from '../../context.js';
import { answer, namesOf, workspaceAccount } from '../../context.js';
import type { Names } from '../../format.js';
import { readPayload } from '../../payload.js';
import { explainError } from '../../messages.js';
import { parseSubmission, refusalAnswer, runAsSubmitter, withinBudget } from './submission.js';

/** Saves one step of the walk (one core call) and says which step comes next. */
async function saveStep(session: Session, meta: SetupMeta, input: StepInput): Promise<SetupMeta> {
  const { account, actor } = session;
  if (input.kind === 'channel') {
    await account.updateSettings(actor, { defaultChannel: input.channel });
    return { ...meta, step: 'team' };
  }
  if (input.kind === 'rule') {
    const environmentId = meta.environmentId ?? '';
    const existing = findRule(account.view, environmentId, null);
    if (existing) await account.updateRule(actor, { ruleId: existing.id, ...input.rule });
    else await account.createRule(actor, { environmentId, productId: null, ...input.rule });
    return { ...meta, step: 'done' };
  }
  switch (meta.step) {
    case 'team':
      await account.createTeam(actor, { teamId: input.id, name: input.name });
      return { ...meta, step: 'product', teamId: input.id };
    case 'product':
      await account.createProduct(actor, { productId: input.id, name: input.name, teamId: meta.teamId ?? '' });
      return { ...meta, step: 'environment', productId: input.id };
    case 'environment':
      await account.createEnvironment(actor, { environmentId: input.id, name: input.name, production: true });
      return { ...meta, step: 'rule', environmentId: input.id };
    default:
      return meta;
  }
}

/**
 * A step of `/gatehouse setup` submitted: a malformed form, or an id that is taken, is answered
 * in the form (response_action: errors) without core work. Otherwise the step is saved before
 * the answer: the next step replaces the form (response_action: update), or the core's refusal
 * shows on the input it is about. A save that outlasts SUBMISSION_BUDGET_MS shows "Saving…"
 * first; views.update then shows the next step, or this one with the refusal on top, its inputs
 * as they were.
 */
export function setupSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const parsed = readPayload(deps.logger, 'view_submission setup', () => {
      const s = parseSubmission(body, SetupMeta);
      return { s, form: readSetupStep(s.meta.step, s.values) };
    });
    if (!parsed) return ack();
    const { s, form } = parsed.value;
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const found = await workspaceAccount(deps, s.teamId);
    if ('refusal' in found) {
      // A workspace this server does not serve, or without an account: nothing to save into.
      await ack();
      await answer(client, s.meta, s.user.id, reply(found.refusal));
      return;
    }
    const { account } = found;
    const taken = setupConflict(account.view, s.meta.step, form.input);
    if (taken) {
      await ack({ response_action: 'errors', errors: taken });
      return;
    }
    let next: { names: Names; meta: SetupMeta } | null = null;
    const work = runAsSubmitter(deps, s, async (session) => {
      next = { names: session.names, meta: await saveStep(session, s.meta, form.input) };
    });
    const settled = await withinBudget(ack, work);
    const nextView = () => (next ? setupView(next.names, next.meta) : null);
    if (settled) {
      const outcome = settled.value;
      const view = nextView();
      if (outcome.kind === 'refused') {
        await ack(refusalAnswer(refusalField(outcome.err, setupFields(s.meta.step)), outcome.err, outcome.session.names, deps.config.SLACK_COMMAND));
      } else if (view) await ack({ response_action: 'update', view });
      else {
        await ack();
        if (outcome.kind === 'no_account') await answer(client, s.meta, s.user.id, reply(outcome.text));
      }
      return;
    }
    await ack({ response_action: 'update', view: setupSavingView(s.meta) });
    const outcome = await work;
    const view =
      outcome.kind === 'refused'
        ? setupView(outcome.session.names, s.meta, { refusal: explainError(outcome.err, outcome.session.names, deps.config.SLACK_COMMAND), prefill: form.input })
        : outcome.kind === 'no_account'
          ? setupView(namesOf(account), s.meta, { refusal: outcome.text, prefill: form.input })
          : nextView();
    if (view) await client.views.update({ view_id: s.viewId, view });
  };
}

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isGatehouseError } from '@gatehouse/core';
import type { StepInput } from '../../blocks/setup.js';
import { SetupMeta, readSetupStep, setupConflict, setupSavingView, setupView } from '../../blocks/setup.js';
import { findRule } from '../../blocks/rules.js';
import type { ListenerDeps, Session } from '../../context.js';
import { asUser, workspaceAccount } from '../../context.js';
import { readPayload } from '../../payload.js';
import { explainError } from '../../messages.js';
import { parseSubmission } from './submission.js';

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
 * in the form (response_action: errors). Otherwise the modal shows "Saving…" at once (the ack),
 * the step is saved, and views.update shows the next step — or the same step with the core's
 * refusal on top, its inputs as they were.
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
    // A workspace this server does not serve (or without an account) is answered by asUser below.
    const found = await workspaceAccount(deps, s.teamId);
    const taken = 'account' in found ? setupConflict(found.account.view, s.meta.step, form.input) : null;
    if (taken) {
      await ack({ response_action: 'errors', errors: taken });
      return;
    }
    await ack({ response_action: 'update', view: setupSavingView(s.meta) });
    await asUser(deps, client, s, s.meta, async (session) => {
      let view;
      try {
        view = setupView(session.names, await saveStep(session, s.meta, form.input));
      } catch (err) {
        if (!isGatehouseError(err)) throw err;
        view = setupView(session.names, s.meta, { refusal: explainError(err, session.names, deps.config.SLACK_COMMAND), prefill: form.input });
      }
      await client.views.update({ view_id: s.viewId, view });
    });
  };
}

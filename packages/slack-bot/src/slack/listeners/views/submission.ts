import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { GatehouseError } from '@gatehouse/core';
import { isGatehouseError } from '@gatehouse/core';
import { z } from 'zod';
import type { ReplyTo, RefusalFields } from '../../blocks/form.js';
import { StateValues, refusalField } from '../../blocks/form.js';
import { reply } from '../../blocks/common.js';
import { readReason } from '../../blocks/modals.js';
import type { ListenerDeps, Session } from '../../context.js';
import { answer, enter, refusal } from '../../context.js';
import type { Names } from '../../format.js';
import { plainText } from '../../format.js';
import { explainError } from '../../messages.js';
import { readPayload } from '../../payload.js';

/** The parts of a view_submission payload the listeners rely on, validated. */
const SubmissionSchema = z.object({
  type: z.literal('view_submission'),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  view: z.object({ id: z.string(), callback_id: z.string(), private_metadata: z.string().default(''), state: z.object({ values: StateValues }) }),
});

export interface Submission<M> {
  teamId: string | null;
  /** The modal's id (for views.update). */
  viewId: string;
  user: { id: string; name: string | null };
  values: StateValues;
  meta: M;
}

export function parseSubmission<S extends z.ZodType>(body: unknown, meta: S): Submission<z.output<S>> {
  const b = SubmissionSchema.parse(body);
  const raw: unknown = b.view.private_metadata ? JSON.parse(b.view.private_metadata) : {};
  return {
    teamId: b.team?.id ?? b.user.team_id ?? null,
    viewId: b.view.id,
    user: { id: b.user.id, name: b.user.name ?? b.user.username ?? null },
    values: b.view.state.values,
    meta: meta.parse(raw),
  };
}

/** What a form reader returns: the input, or per-block errors shown in the modal. */
export type FormResult<I> = { ok: true; input: I } | { ok: false; errors: Record<string, string> };

/** The reason field of the reject/deny modals: required, at least 3 characters. */
export function reasonForm(values: StateValues): FormResult<string> {
  const reason = readReason(values);
  return reason.length < 3 ? { ok: false, errors: { reason: 'Give a reason of at least 3 characters' } } : { ok: true, input: reason };
}

/**
 * How long a submission's work may run before its answer has to leave. Slack waits 3 s for the
 * answer to a view_submission (the way there and back included) and shows an error after that;
 * a refusal can only be shown on the form's fields in that answer.
 */
export const SUBMISSION_BUDGET_MS = 2_000;

/** `work`'s value when it settles within `ms`, else null (it goes on; await `work` for its outcome). */
async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The answer that keeps a form open with the core's refusal on `field`: plain text (Slack shows a
 * field error as it is), names for ids, a sentence of its own (capitalised).
 */
export function refusalAnswer(field: string, err: GatehouseError, names: Names, cmd: string) {
  const text = plainText(explainError(err, names, cmd), names);
  return { response_action: 'errors' as const, errors: { [field]: text.charAt(0).toUpperCase() + text.slice(1) } };
}

/** How a submission's work ended: done, refused by the core (with the session that was refused), or no account. */
export type WorkOutcome = { kind: 'done' } | { kind: 'refused'; err: GatehouseError; session: Session } | { kind: 'no_account'; text: string };

/** Resolves the submitter and runs `run` for them; a typed refusal is an outcome, anything else is thrown. */
export async function runAsSubmitter(deps: ListenerDeps, s: Submission<unknown>, run: (session: Session) => Promise<void>): Promise<WorkOutcome> {
  const session = await enter(deps, s.teamId, s.user);
  if ('refusal' in session) return { kind: 'no_account', text: session.refusal };
  try {
    await run(session);
    return { kind: 'done' };
  } catch (err) {
    if (isGatehouseError(err)) return { kind: 'refused', err, session };
    throw err;
  }
}

/**
 * Waits for a submission's work up to SUBMISSION_BUDGET_MS: its outcome, or null when it runs on.
 * An error that is not a refusal closes the modal (Slack would show its own error) and is
 * rethrown, for app.error.
 */
export async function withinBudget(ack: () => Promise<void>, work: Promise<WorkOutcome>): Promise<{ value: WorkOutcome } | null> {
  try {
    return await within(work, SUBMISSION_BUDGET_MS);
  } catch (err) {
    await ack();
    throw err;
  }
}

/** What a submission handler gets once the form is valid and the user is known. */
export interface SubmissionContext<M, I> {
  s: Submission<M>;
  session: Session;
  input: I;
  client: WebClient;
  /** An ephemeral answer to the submitter (sent once the modal has closed). */
  say: (text: string) => Promise<void>;
  /** Runs `task` once the modal has closed (at once if it has). */
  afterClose: (task: () => Promise<void>) => Promise<void>;
}

/**
 * The shape every modal submission shares: validate the form (errors go back into the modal, no
 * core work), resolve the user and run one core call before answering Slack. A refusal of the
 * core stays in the modal, on the input `fields` says it is about (`response_action: errors`);
 * otherwise the modal closes and the handler's answers follow as ephemeral messages. Work that
 * outlasts SUBMISSION_BUDGET_MS closes the modal (Slack would show an error) and its outcome,
 * refusal included, follows as a message. Errors that are not refusals reach app.error.
 */
export function submissionListener<S extends z.ZodType<ReplyTo>, I>(
  deps: ListenerDeps,
  metaSchema: S,
  read: (values: StateValues) => FormResult<I>,
  fields: RefusalFields | ((err: GatehouseError, input: I) => string),
  run: (ctx: SubmissionContext<z.output<S>, I>) => Promise<void>,
) {
  return async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const parsed = readPayload(deps.logger, 'view_submission', () => {
      const s = parseSubmission(body, metaSchema);
      return { s, form: read(s.values) };
    });
    // Not a form this app opened: closed, nothing done.
    if (!parsed) return ack();
    const { s, form } = parsed.value;
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const send = (text: string) => answer(client, s.meta, s.user.id, reply(text));
    // Answers wait until the modal has closed: before, they would only delay the ack.
    let closed = false;
    const held: (() => Promise<void>)[] = [];
    const afterClose = async (task: () => Promise<void>) => {
      if (closed) await task();
      else held.push(task);
    };
    const say = (text: string) => afterClose(() => send(text));
    const work = runAsSubmitter(deps, s, (session) => run({ s, session, input: form.input, client, say, afterClose }));
    const settled = await withinBudget(ack, work);
    if (settled?.value.kind === 'refused') {
      const { err, session } = settled.value;
      const field = typeof fields === 'function' ? fields(err, form.input) : refusalField(err, fields);
      await ack(refusalAnswer(field, err, session.names, deps.config.SLACK_COMMAND));
      return;
    }
    await ack();
    closed = true;
    for (const task of held) await task();
    const outcome = settled ? settled.value : await work;
    if (outcome.kind === 'no_account') await send(outcome.text);
    if (outcome.kind === 'refused') await answer(client, s.meta, s.user.id, refusal(outcome.err, outcome.session.names, deps.config.SLACK_COMMAND));
  };
}

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ReplyTo } from '../../blocks/form.js';
import { StateValues } from '../../blocks/form.js';
import { readReason } from '../../blocks/modals.js';
import type { ListenerDeps, Session } from '../../context.js';
import { asUser } from '../../context.js';
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

/** What a submission handler gets once the form is valid, acknowledged and the user is known. */
export interface SubmissionContext<M, I> {
  s: Submission<M>;
  session: Session;
  input: I;
  client: WebClient;
  /** An ephemeral answer to the submitter. */
  say: (text: string) => Promise<void>;
}

/**
 * The shape every modal submission shares: validate the form (errors go back into the modal,
 * no core work), ack, resolve the user, run one core call, and turn a refusal into an answer.
 */
export function submissionListener<S extends z.ZodType<ReplyTo>, I>(
  deps: ListenerDeps,
  metaSchema: S,
  read: (values: StateValues) => FormResult<I>,
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
    await ack();
    await asUser(deps, client, s, s.meta, (session, say) => run({ s, session, input: form.input, client, say }));
  };
}

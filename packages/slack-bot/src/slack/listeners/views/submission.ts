import { z } from 'zod';
import { StateValues } from '../../blocks/modals.js';

/** The parts of a view_submission payload the listeners rely on, validated. */
const SubmissionSchema = z.object({
  type: z.literal('view_submission'),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  view: z.object({ id: z.string(), callback_id: z.string(), private_metadata: z.string().default(''), state: z.object({ values: StateValues }) }),
});

export interface Submission<M> {
  teamId: string | null;
  user: { id: string; name: string | null };
  values: StateValues;
  meta: M;
}

export function parseSubmission<S extends z.ZodType>(body: unknown, meta: S): Submission<z.output<S>> {
  const b = SubmissionSchema.parse(body);
  const raw: unknown = b.view.private_metadata ? JSON.parse(b.view.private_metadata) : {};
  return {
    teamId: b.team?.id ?? b.user.team_id ?? null,
    user: { id: b.user.id, name: b.user.name ?? b.user.username ?? null },
    values: b.view.state.values,
    meta: meta.parse(raw),
  };
}

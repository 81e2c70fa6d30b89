import type { AllMiddlewareArgs, BlockSuggestion, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { OPTIONS_PREFIX, suggestionsAnswer } from '../../blocks/form.js';
import { PICKERS } from '../../blocks/modals.js';
import type { ListenerDeps } from '../../context.js';
import { workspaceAccount } from '../../context.js';
import { readPayload } from '../../payload.js';

/** The parts of a block_suggestion payload the listener relies on, validated. */
const SuggestionSchema = z.object({
  type: z.literal('block_suggestion'),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  action_id: z.string(),
  value: z.string().max(1000).default(''),
});

/**
 * The options of a picker too long for a static select (see pickerInput), as the user types:
 * the teams or roles matching the text by name or id, best first, at most 100. Read-only and
 * answered at once (Slack waits 3 s); a workspace this server does not serve or without an account, or a picker this version
 * does not know, gets none.
 */
export function pickerOptions(deps: ListenerDeps) {
  return async ({ ack, body }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const b = readPayload(deps.logger, 'block_suggestion', () => SuggestionSchema.parse(body satisfies BlockSuggestion))?.value;
    if (!b) return ack({ options: [] });
    const source = b.action_id.slice(OPTIONS_PREFIX.length);
    if (!Object.hasOwn(PICKERS, source)) {
      deps.logger.warn('a Slack picker this version has no options for was answered with none', { actionId: b.action_id.slice(0, 100) });
      return ack({ options: [] });
    }
    // A workspace this server does not serve, or without an account, gets none.
    const found = await workspaceAccount(deps, b.team?.id ?? b.user.team_id);
    if (!('account' in found)) return ack({ options: [] });
    const { account } = found;
    const options = PICKERS[source as keyof typeof PICKERS](account.listRoles(), Object.values(account.view.teams));
    await ack(suggestionsAnswer(options, b.value));
  };
}

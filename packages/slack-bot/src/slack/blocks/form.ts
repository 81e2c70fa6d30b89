import type { ErrorCode, GatehouseError } from '@gatehouse/core';
import type { InputBlock, KnownBlock, ModalView, PlainTextElement, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import { LIMITS, plain } from './common.js';

/**
 * What every modal is built from: its private_metadata (where to answer), its input blocks, and
 * the readers of `view.state.values`. Each input block holds one element, whose action_id is `v`
 * — but a picker's that loads its options (`options:<source>`, see pickerInput).
 */

/** What every modal carries in private_metadata: where to answer (the command's response_url or a channel). */
export const ReplyTo = z.object({ channel: z.string().nullable().default(null), responseUrl: z.string().nullable().default(null) });
export type ReplyTo = z.infer<typeof ReplyTo>;

const StateValue = z.object({
  type: z.string(),
  value: z.string().nullable().optional(),
  selected_user: z.string().nullable().optional(),
  selected_conversation: z.string().nullable().optional(),
  selected_channel: z.string().nullable().optional(),
  selected_option: z.object({ value: z.string() }).nullable().optional(),
  selected_options: z.array(z.object({ value: z.string() })).optional(),
});
/** `view.state.values`: block_id → action_id → value. */
export const StateValues = z.record(z.string(), z.record(z.string(), StateValue));
export type StateValues = z.infer<typeof StateValues>;

/** The value of an input block's element (an input block holds exactly one). */
export function valueAt(values: StateValues, block: string): z.infer<typeof StateValue> | undefined {
  const elements = Object.hasOwn(values, block) ? values[block] : undefined;
  return elements ? Object.values(elements)[0] : undefined;
}
/** A text input's value, trimmed ('' when empty). */
export function textValue(values: StateValues, block: string): string {
  return valueAt(values, block)?.value?.trim() ?? '';
}
/** The value of the chosen option of a select or radio group. */
export function selected(values: StateValues, block: string): string | null {
  return valueAt(values, block)?.selected_option?.value ?? null;
}
/** The values of the checked boxes of a checkbox group. */
export function checked(values: StateValues, block: string): Set<string> {
  return new Set((valueAt(values, block)?.selected_options ?? []).map((o) => o.value));
}
/** The channel picked in a conversations or channels select. */
export function pickedChannel(values: StateValues, block: string): string | null {
  const v = valueAt(values, block);
  return v?.selected_conversation ?? v?.selected_channel ?? null;
}

/**
 * Which input of a form a core refusal is about, so it shows there (Slack's view_submission
 * answer `response_action: errors` names input blocks): by what was not found, by the path of a
 * refused value, by error code, else on `fallback` — a form's refusal always shows in the form.
 */
export interface RefusalFields {
  fallback: string;
  codes?: Partial<Record<ErrorCode, string>>;
  /** A thing the core did not find, by entity (`team` → the team picker). */
  entities?: Readonly<Record<string, string>>;
  /** A value the core refused, by the first part of its path (`durationMs` → the duration picker). */
  paths?: Readonly<Record<string, string>>;
}

/** The input block a refusal shows on (see RefusalFields). */
export function refusalField(err: GatehouseError, f: RefusalFields): string {
  const pick = (table: Readonly<Record<string, string>> | undefined, key: unknown) => (table && typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined);
  if (err.code === 'not_found') return pick(f.entities, err.details['entity']) ?? f.codes?.not_found ?? f.fallback;
  if (err.code === 'validation_failed') {
    const issues: unknown = err.details['issues'];
    for (const issue of Array.isArray(issues) ? (issues as { path?: unknown }[]) : []) {
      const field = pick(f.paths, typeof issue.path === 'string' ? issue.path.split('.')[0] : undefined);
      if (field) return field;
    }
    return f.codes?.validation_failed ?? f.fallback;
  }
  return f.codes?.[err.code] ?? f.fallback;
}

/** A modal; `submit: null` for one that only shows something (no inputs). */
export function modal(callbackId: string, title: string, submit: string | null, blocks: KnownBlock[], metadata: unknown, close = 'Cancel'): ModalView {
  const privateMetadata = JSON.stringify(metadata);
  if (privateMetadata.length > LIMITS.privateMetadata) throw new Error(`private_metadata of ${callbackId} is too long`);
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, LIMITS.modalTitle),
    ...(submit === null ? {} : { submit: plain(submit, LIMITS.modalTitle) }),
    close: plain(close, LIMITS.modalTitle),
    private_metadata: privateMetadata,
    blocks,
  };
}

export function input(blockId: string, label: string, element: InputBlock['element'], optional = false, hint?: string): InputBlock {
  return { type: 'input', block_id: blockId, label: plain(label, 2000), element, optional, ...(hint ? { hint: plain(hint, 2000) } : {}) };
}

/** A one-line text input, prefilled with `initial` when given. */
export function textInput(blockId: string, label: string, opts: { initial?: string | null; optional?: boolean; hint?: string; max?: number; placeholder?: string } = {}): InputBlock {
  const max = opts.max ?? 80;
  const element: InputBlock['element'] = {
    type: 'plain_text_input',
    action_id: 'v',
    max_length: max,
    ...(opts.initial ? { initial_value: opts.initial.slice(0, max) } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
  };
  return input(blockId, label, element, opts.optional ?? false, opts.hint);
}

/** action_id prefix of a picker whose options Slack loads from the app as the user types (block_suggestion). */
export const OPTIONS_PREFIX = 'options:';

/**
 * A picker of `options`: a static select while they fit one (Slack shows at most 100), else an
 * external select whose options Slack asks for as the user types — action_id `options:<source>`,
 * answered by the options listener with `suggest` — so every option can be reached.
 */
export function pickerInput(
  blockId: string,
  label: string,
  options: readonly PlainTextOption[],
  opts: { source: string; initial?: PlainTextOption; hint?: string },
): InputBlock {
  if (options.length <= LIMITS.selectOptions) {
    return input(blockId, label, { type: 'static_select', action_id: 'v', options: [...options], ...(opts.initial ? { initial_option: opts.initial } : {}) }, false, opts.hint);
  }
  const element: InputBlock['element'] = {
    type: 'external_select',
    action_id: `${OPTIONS_PREFIX}${opts.source}`,
    min_query_length: 0,
    placeholder: plain('Type a name or id to search', 150),
    ...(opts.initial ? { initial_option: opts.initial } : {}),
  };
  return input(blockId, label, element, false, opts.hint);
}

/** What an external select shows for what was typed: the best matches, and how many matched in all. */
export function suggest(options: readonly PlainTextOption[], typed: string, max: number = LIMITS.selectOptions): { options: PlainTextOption[]; total: number } {
  const q = typed.trim().toLowerCase();
  if (!q) return { options: options.slice(0, max), total: options.length };
  // Exact name or id, then one starting with it, then a word starting with it, then containing it.
  const rank = (o: PlainTextOption): number => {
    const name = o.text.text.toLowerCase();
    const id = (o.value ?? '').toLowerCase();
    if (name === q || id === q) return 0;
    if (name.startsWith(q) || id.startsWith(q)) return 1;
    if (name.split(/[\s(,-]+/).some((w) => w.startsWith(q)) || id.split(/[-_]/).some((w) => w.startsWith(q))) return 2;
    if (name.includes(q) || id.includes(q)) return 3;
    return -1;
  };
  const matches = options
    .map((o, i) => ({ o, i, r: rank(o) }))
    .filter((m) => m.r >= 0)
    .sort((a, b) => a.r - b.r || a.o.text.text.localeCompare(b.o.text.text, 'en', { numeric: true, sensitivity: 'base' }) || a.i - b.i);
  return { options: matches.slice(0, max).map((m) => m.o), total: matches.length };
}

/**
 * The answer to a block_suggestion: the matches; when there are more than fit, in one group whose
 * label says how many are shown and to type more.
 */
export function suggestionsAnswer(options: readonly PlainTextOption[], typed: string): { options: PlainTextOption[] } | { option_groups: { label: PlainTextElement; options: PlainTextOption[] }[] } {
  const found = suggest(options, typed);
  if (found.total <= found.options.length) return { options: found.options };
  return { option_groups: [{ label: plain(`${found.options.length} of ${found.total}: type more to narrow`, LIMITS.optionText), options: found.options }] };
}

/** A static select whose initial option is the one with value `initial` (if any). */
export function selectInput(blockId: string, label: string, options: PlainTextOption[], initial: string | null, opts: { optional?: boolean; hint?: string } = {}): InputBlock {
  const list = options.slice(0, LIMITS.selectOptions);
  const first = list.find((o) => o.value === initial);
  return input(blockId, label, { type: 'static_select', action_id: 'v', options: list, ...(first ? { initial_option: first } : {}) }, opts.optional ?? false, opts.hint);
}

/** Checkboxes (at most 10) with the options whose values are in `on` checked. */
export function checkboxesInput(blockId: string, label: string, options: PlainTextOption[], on: ReadonlySet<string>, hint?: string): InputBlock {
  const list = options.slice(0, LIMITS.checkboxOptions);
  const initial = list.filter((o) => on.has(o.value ?? ''));
  return input(blockId, label, { type: 'checkboxes', action_id: 'v', options: list, ...(initial.length ? { initial_options: initial } : {}) }, true, hint);
}

/** A channel picker (public and private channels; the bot must be invited to a private one). */
export function channelInput(blockId: string, label: string, initial: string | null, opts: { optional?: boolean; hint?: string } = {}): InputBlock {
  return input(
    blockId,
    label,
    {
      type: 'conversations_select',
      action_id: 'v',
      filter: { include: ['public', 'private'], exclude_bot_users: true },
      ...(initial && /^[CG][A-Z0-9]+$/.test(initial) ? { initial_conversation: initial } : {}),
    },
    opts.optional ?? false,
    opts.hint,
  );
}

/** An id derived from a name: `Web Shop` → `web-shop` (what IdSchema accepts), or '' when nothing is left. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

import type { ActionsBlock, Button, ContextBlock, DividerBlock, HeaderBlock, KnownBlock, PlainTextElement, PlainTextOption, SectionBlock } from '@slack/types';
import { clip } from '../format.js';

/**
 * Small Block Kit builders that respect Slack's documented limits, so what the app sends is
 * accepted: section text ≤ 3000, header ≤ 150, button text ≤ 75, option text ≤ 75, option
 * value ≤ 150, ≤ 50 blocks per message, ≤ 100 per modal or Home tab.
 */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  contextElements: 10,
  actionsElements: 25,
  checkboxOptions: 10,
  selectOptions: 100,
  modalTitle: 24,
  privateMetadata: 3000,
  fieldText: 2000,
  fields: 10,
} as const;

/** A message: fallback text (notifications, screen readers) and blocks. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

export function plain(text: string, max: number = LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

export function context(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.sectionText) })) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export function fields(pairs: readonly (readonly [string, string])[]): SectionBlock {
  return { type: 'section', fields: pairs.slice(0, LIMITS.fields).map(([k, v]) => ({ type: 'mrkdwn', text: clip(`*${k}*\n${v}`, LIMITS.fieldText) })) };
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text, LIMITS.buttonText), action_id: actionId, value: clip(value, LIMITS.buttonValue), ...(style ? { style } : {}) };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: elements.slice(0, LIMITS.actionsElements) };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, LIMITS.optionText), value: clip(value, LIMITS.optionValue) };
}

/**
 * Long mrkdwn text as sections, split on line breaks under the section limit; when it would
 * exceed the message's block budget the rest is summarised in a last line.
 */
export function textBlocks(text: string, maxBlocks: number = LIMITS.messageBlocks): SectionBlock[] {
  const out: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    const l = clip(line, LIMITS.sectionText - 1);
    if (cur && cur.length + 1 + l.length > LIMITS.sectionText) {
      out.push(cur);
      cur = l;
    } else cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) out.push(cur);
  if (out.length > maxBlocks) {
    const dropped = out.length - (maxBlocks - 1);
    out.splice(maxBlocks - 1, dropped, `_…and ${dropped} more part(s), cut to fit one message._`);
  }
  return out.map(section);
}

/** A plain text reply as a message. */
export function reply(text: string): Message {
  return { text: clip(text.replace(/\n[\s\S]*/, ''), 3000) || 'Gatehouse', blocks: textBlocks(text) };
}

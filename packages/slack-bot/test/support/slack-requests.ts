import { createHmac } from 'node:crypto';

/**
 * Builders for the requests Slack sends an app in HTTP mode, signed like Slack signs them:
 * `v0=` + HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`).
 */

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignOptions {
  /** Seconds since the epoch (default: now). */
  timestamp?: number;
  /** Overrides the signature (forgery tests). */
  signature?: string;
  /** x-slack-retry-num (Slack's redelivery). */
  retryNum?: number;
  /** Events API bodies are JSON; commands and interactions are forms. */
  contentType?: string;
}

/** The headers Slack sends with a body: its content type, the timestamp and the signature (and retry headers). */
export function signedHeaders(secret: string, body: string, opts: SignOptions = {}): Record<string, string> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': opts.signature ?? sign(secret, ts, body),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return headers;
}

/** POSTs a signed form body to the app's Slack endpoint; returns status, body and the time to the response. */
export async function postSigned(url: string, secret: string, body: string, opts: SignOptions = {}): Promise<{ status: number; text: string; ms: number }> {
  const headers = signedHeaders(secret, body, opts);
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const ms = performance.now() - started;
  return { status: res.status, text: await res.text(), ms };
}

export interface CommandFields {
  command: string;
  text: string;
  teamId: string;
  userId: string;
  userName: string;
  channelId: string;
  responseUrl: string;
  triggerId: string;
}

/** A slash command as Slack posts it: a form body. */
export function commandBody(f: CommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: f.teamId,
    team_domain: 'acme',
    channel_id: f.channelId,
    channel_name: 'general',
    user_id: f.userId,
    user_name: f.userName,
    command: f.command,
    text: f.text,
    api_app_id: 'AFAKE',
    is_enterprise_install: 'false',
    response_url: f.responseUrl,
    trigger_id: f.triggerId,
  }).toString();
}

/** An interaction (block_actions, view_submission) as Slack posts it: `payload=<json>`. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The fields every interaction payload opens with: who clicked or submitted, in which workspace, for which app. */
function interactionSender(f: { teamId: string; userId: string; userName: string }) {
  return {
    team: { id: f.teamId, domain: 'acme' },
    user: { id: f.userId, username: f.userName, name: f.userName, team_id: f.teamId },
    api_app_id: 'AFAKE',
    token: 'legacy-verification-token',
  };
}

export interface BlockActionFields {
  teamId: string;
  userId: string;
  userName: string;
  channelId: string;
  messageTs: string;
  ephemeral?: boolean;
  actionId: string;
  blockId: string;
  value: string;
  triggerId: string;
  responseUrl: string;
  /** The message the button is on, as Slack includes it (text and blocks); omitted, only its ts is sent. */
  message?: { text: string; blocks: readonly Record<string, unknown>[] };
}

export function blockActionPayload(f: BlockActionFields): Record<string, unknown> {
  return {
    type: 'block_actions',
    ...interactionSender(f),
    container: { type: 'message', message_ts: f.messageTs, channel_id: f.channelId, is_ephemeral: f.ephemeral ?? false },
    trigger_id: f.triggerId,
    channel: { id: f.channelId, name: 'approvals' },
    message: f.message ? { type: 'message', subtype: 'bot_message', bot_id: 'BFAKE', ts: f.messageTs, text: f.message.text, blocks: f.message.blocks } : { type: 'message', ts: f.messageTs, text: '' },
    response_url: f.responseUrl,
    actions: [{ type: 'button', action_id: f.actionId, block_id: f.blockId, value: f.value, text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) }],
  };
}

/** A click on a button of the user's App Home: the container is the Home view; no channel, no message, no response_url. */
export function homeActionPayload(f: Omit<BlockActionFields, 'channelId' | 'messageTs' | 'ephemeral' | 'responseUrl' | 'message'>): Record<string, unknown> {
  return {
    type: 'block_actions',
    ...interactionSender(f),
    container: { type: 'view', view_id: `VHOME${f.userId}` },
    trigger_id: f.triggerId,
    view: { id: `VHOME${f.userId}`, team_id: f.teamId, type: 'home', callback_id: '', private_metadata: '', hash: 'h', state: { values: {} }, blocks: [] },
    actions: [{ type: 'button', action_id: f.actionId, block_id: f.blockId, value: f.value, text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) }],
  };
}

export interface ViewActionFields {
  teamId: string;
  userId: string;
  userName: string;
  view: { id: string; hash: string; callback_id: string; private_metadata: string };
  actionId: string;
  blockId: string;
  value: string;
  triggerId: string;
}

/** The modal an interaction happened in, as its payload carries it (state values only in a submission). */
function modalOf(f: { teamId: string; view: ViewActionFields['view'] }, values: Record<string, unknown> = {}) {
  return { id: f.view.id, team_id: f.teamId, type: 'modal', callback_id: f.view.callback_id, private_metadata: f.view.private_metadata, hash: f.view.hash, state: { values }, blocks: [], title: { type: 'plain_text', text: 'x' } };
}

/** A click on a button inside a modal: the container is the view, and there is no response_url. */
export function viewActionPayload(f: ViewActionFields): Record<string, unknown> {
  return {
    type: 'block_actions',
    ...interactionSender(f),
    container: { type: 'view', view_id: f.view.id },
    trigger_id: f.triggerId,
    view: modalOf(f),
    actions: [{ type: 'button', action_id: f.actionId, block_id: f.blockId, value: f.value, text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) }],
  };
}

export interface ViewSubmissionFields {
  teamId: string;
  userId: string;
  userName: string;
  view: { id: string; hash: string; callback_id: string; private_metadata: string };
  values: Record<string, Record<string, Record<string, unknown>>>;
  triggerId: string;
}

export function viewSubmissionPayload(f: ViewSubmissionFields): Record<string, unknown> {
  return {
    type: 'view_submission',
    ...interactionSender(f),
    trigger_id: f.triggerId,
    view: modalOf(f, f.values),
    response_urls: [],
  };
}

/** An Events API callback as Slack posts it (JSON). */
export function eventBody(teamId: string, eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({ token: 'legacy-verification-token', team_id: teamId, api_app_id: 'AFAKE', event: { ...event, event_ts: String(Date.now() / 1000) }, type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000) });
}

/** A block_suggestion: as a click in a modal, without trigger_id; `value` is what the user typed. */
export type BlockSuggestionFields = Omit<ViewActionFields, 'triggerId'>;

/** What Slack sends as the user types in an external select of a modal (sent to the options load URL). */
export function blockSuggestionPayload(f: BlockSuggestionFields): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    ...interactionSender(f),
    container: { type: 'view', view_id: f.view.id },
    view: modalOf(f),
    action_id: f.actionId,
    block_id: f.blockId,
    value: f.value,
  };
}

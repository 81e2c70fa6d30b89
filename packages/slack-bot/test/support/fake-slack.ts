import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { checkBlocks, checkHome, checkModal, checkOptionsAnswer } from './block-kit.js';

/**
 * A local fake of the Slack Web API (and of Socket Mode and response_urls), for tests. It answers
 * `/api/<method>` form-encoded POSTs like Slack, records every call, and refuses what Slack would
 * refuse: Block Kit limits, chat.update of messages the bot did not post, a trigger_id used twice
 * or after 3 s, a method the bot's scopes (from manifest.yaml) do not cover, a DM channel nobody
 * opened, a thread that does not exist. With `rateLimits` it also answers like Slack past a rate
 * limit: HTTP 429 with Retry-After (seconds), per method and channel.
 */

type Json = Record<string, unknown>;

export interface Call {
  method: string;
  args: Json;
  token: string | null;
  ok: boolean;
  error: string | null;
  /** Slack's explanation when refused (e.g. which Block Kit rule). */
  problems: string[];
  /** When the request had been read (`performance.now()`), to time what a click leads to. */
  at: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: Json[];
  /** Previous versions (before each chat.update). */
  history: { text: string; blocks: Json[] }[];
}

export interface Ephemeral {
  channel: string;
  user: string;
  text: string;
  blocks: Json[];
}

/**
 * A message posted through a response_url (the app's answers to commands and clicks): ephemeral,
 * only `user` sees it. A response_url from a click on it can replace it (`replace_original`) or
 * delete it (`delete_original`); nothing else can (chat.update cannot reach an ephemeral message).
 */
export interface ResponseMessage {
  id: string;
  channel: string | null;
  user: string | null;
  /** A ts as Slack puts it in the payload of a click on the message. */
  ts: string;
  text: string;
  blocks: Json[];
  /** Previous versions (before each replace_original). */
  history: { text: string; blocks: Json[] }[];
  deleted: boolean;
}

/** Where a response_url leads: the channel and user it answers, and the message a click came from. */
export interface ResponseTarget {
  channel?: string | null;
  user?: string | null;
  /** The message the click was on: a response message (ephemeral) or one the bot posted in a channel. */
  original?: { ephemeral: ResponseMessage } | { message: PostedMessage };
}

export interface OpenedView {
  id: string;
  hash: string;
  view: Json;
  userId: string | null;
}

/** Scopes each method needs (any one of them), per Slack's method reference. */
export const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.open': ['im:write', 'channels:manage', 'groups:write', 'mpim:write'],
  'users.info': ['users:read'],
  'views.open': [],
  'views.update': [],
  'views.publish': [],
  'apps.connections.open': ['connections:write'],
};

/** JSON-valued form fields the Web API client stringifies. */
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

/** The bot scopes a manifest.yaml grants (oauth_config.scopes.bot), read without a YAML library. */
export function manifestBotScopes(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const scopes: string[] = [];
  let inBot = false;
  let indent = -1;
  for (const line of lines) {
    const m = /^(\s*)bot:\s*$/.exec(line);
    if (m) {
      inBot = true;
      indent = m[1]?.length ?? 0;
      continue;
    }
    if (!inBot) continue;
    const item = /^(\s*)-\s*([a-z:._]+)\s*(#.*)?$/.exec(line);
    if (item && (item[1]?.length ?? 0) >= indent) scopes.push(item[2] ?? '');
    else if (line.trim() && !line.trim().startsWith('#')) inBot = false;
  }
  return scopes;
}

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  /** Granted bot scopes (default: every scope the methods above need). */
  scopes?: readonly string[];
  teamId?: string;
  botUserId?: string;
  /** How long a trigger_id stays valid (Slack: 3 s). */
  triggerTtlMs?: number;
  /**
   * Calls a second allowed per method and channel (per method when the call names no channel),
   * e.g. `{ 'chat.postMessage': 1 }` as Slack allows about one message a second in a channel. A
   * call past the limit is answered HTTP 429 `{ ok: false, error: 'ratelimited' }` with
   * Retry-After, and nothing is done. Off by default.
   */
  rateLimits?: Readonly<Record<string, number>>;
  /** Milliseconds a method takes to answer (a slow Slack), e.g. `{ 'users.info': 2500 }`. */
  delays?: Readonly<Record<string, number>>;
}

export class FakeSlack {
  readonly calls: Call[] = [];
  readonly messages = new Map<string, PostedMessage>();
  readonly ephemerals: Ephemeral[] = [];
  readonly views = new Map<string, OpenedView>();
  /** Each user's Home tab as last published (views.publish), and how many times it was published. */
  readonly homes = new Map<string, { view: Json; hash: string; published: number }>();
  readonly responses = new Map<string, Json[]>();
  /** Messages posted through response_urls, oldest first (see ResponseMessage). */
  readonly responseMessages: ResponseMessage[] = [];
  private readonly responseTargets = new Map<string, ResponseTarget>();
  /** `view/block` → the option values the app served for that external select (what the user could pick). */
  private readonly served = new Map<string, Set<string>>();
  /** Users users.info knows about (others get a plain profile). */
  readonly directory = new Map<string, { name: string; deleted?: boolean; is_bot?: boolean }>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly openDms = new Set<string>();
  private seq = 0;
  private readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  /** Messages received from Socket Mode clients (acks carry envelope_id). */
  readonly socketInbox: Json[] = [];
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  private readonly scopes: Set<string>;
  private readonly triggerTtlMs: number;
  private readonly rateLimits: Readonly<Record<string, number>>;
  private readonly delays: Readonly<Record<string, number>>;
  /** `method channel` → when the calls of the last second were accepted. */
  private readonly accepted = new Map<string, number[]>();

  private constructor(
    private readonly server: Server,
    opts: FakeSlackOptions,
  ) {
    this.botToken = opts.botToken ?? 'xoxb-fake-bot-token';
    this.appToken = opts.appToken ?? 'xapp-fake-app-token';
    this.teamId = opts.teamId ?? 'TDEMO';
    this.botUserId = opts.botUserId ?? 'UBOT';
    this.scopes = new Set(opts.scopes ?? Object.values(METHOD_SCOPES).flatMap((s) => s.slice(0, 1)));
    this.triggerTtlMs = opts.triggerTtlMs ?? 3000;
    this.rateLimits = opts.rateLimits ?? {};
    this.delays = opts.delays ?? {};
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    let fake: FakeSlack | null = null;
    const server = createServer((req, res) => {
      if (!fake) return void res.writeHead(503).end();
      fake.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    fake = new FakeSlack(server, opts);
    const f = fake;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => f.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** For `clientOptions.slackApiUrl` (trailing slash matters). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A trigger_id as Slack puts in an interaction payload: valid once, for 3 s. */
  issueTrigger(): string {
    const id = `${++this.seq}.${Date.now()}.${randomBytes(6).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  /** A response_url pointing at this fake, answering in `target` (a command's channel and user; a click's message). */
  responseUrl(target: ResponseTarget = {}): string {
    const id = randomBytes(8).toString('hex');
    this.responses.set(id, []);
    this.responseTargets.set(id, target);
    return `${this.baseUrl}/response/${id}`;
  }

  /** The message the first post to a response_url created (the answer to a command), as it is now. */
  responseMessageOf(url: string): ResponseMessage | undefined {
    const id = url.slice(url.lastIndexOf('/') + 1);
    return this.responseMessages.find((m) => m.id.startsWith(`${id}/`));
  }

  /** What was posted to a response_url. */
  responsesTo(url: string): Json[] {
    return this.responses.get(url.slice(url.lastIndexOf('/') + 1)) ?? [];
  }

  /**
   * What Slack does with the HTTP answer to a view_submission: `response_action: update` replaces
   * the view (checked like views.update); `errors` must name input blocks of the view.
   * Anything Slack would refuse is recorded as a failed call.
   */
  applyViewResponse(viewId: string, responseText: string): void {
    let body: Json;
    try {
      body = JSON.parse(responseText || '{}') as Json;
    } catch {
      return;
    }
    const action = body['response_action'];
    if (action !== 'update' && action !== 'errors') return;
    const call: Call = { method: `view_submission:${action}`, args: body, token: null, ok: true, error: null, problems: [], at: performance.now() };
    this.calls.push(call);
    const v = this.views.get(viewId);
    const blocks = Array.isArray(v?.view['blocks']) ? (v.view['blocks'] as Json[]) : [];
    const inputs = new Set(blocks.filter((b) => b['type'] === 'input').map((b) => String(b['block_id'])));
    const problems = !v
      ? ['no such view']
      : action === 'update'
        ? checkModal(body['view'])
        : Object.keys((body['errors'] as Json | undefined) ?? {}).flatMap((k) => (inputs.has(k) ? [] : [`errors.${k}: not an input block of the view`]));
    if (!v || problems.length) {
      call.ok = false;
      call.error = 'invalid_arguments';
      call.problems = problems;
      return;
    }
    if (action === 'update') {
      v.view = body['view'] as Json;
      v.hash = randomBytes(4).toString('hex');
    }
  }

  /**
   * What Slack does with the app's answer to a block_suggestion: shows the options (checked as
   * Slack checks them; a refused answer is recorded as a failed call and shows nothing). Returns
   * the options shown, with the label of their group if any.
   */
  applyOptionsAnswer(viewId: string, blockId: string, responseText: string): { text: string; value: string; group: string | null }[] {
    let body: unknown;
    try {
      body = JSON.parse(responseText);
    } catch {
      body = responseText;
    }
    const problems = checkOptionsAnswer(body);
    this.calls.push({ method: 'block_suggestion', args: { viewId, blockId, answer: body }, token: null, ok: problems.length === 0, error: problems.length ? 'invalid_options' : null, problems, at: performance.now() });
    if (problems.length) return [];
    const b = body as { options?: Json[]; option_groups?: { label: { text: string }; options: Json[] }[] };
    const shown = b.options ? b.options.map((o) => ({ o, group: null as string | null })) : (b.option_groups ?? []).flatMap((g) => g.options.map((o) => ({ o, group: g.label.text })));
    const key = `${viewId}/${blockId}`;
    const served = this.served.get(key) ?? new Set<string>();
    this.served.set(key, served);
    return shown.map(({ o, group }) => {
      const value = String(o['value']);
      served.add(value);
      return { text: String((o['text'] as Json)['text']), value, group };
    });
  }

  /**
   * Why Slack could not have sent these state values for this view (empty when it could): each
   * block must be an input of the view, under its element's action_id and type, and a choice
   * must be one the element offered — for an external select, one the app served for it.
   */
  checkSubmission(viewId: string, values: Record<string, Record<string, Json>>): string[] {
    const v = this.views.get(viewId);
    if (!v) return ['no such view'];
    const blocks = Array.isArray(v.view['blocks']) ? (v.view['blocks'] as Json[]) : [];
    const problems: string[] = [];
    for (const [blockId, actions] of Object.entries(values)) {
      const block = blocks.find((b) => b['type'] === 'input' && b['block_id'] === blockId);
      if (!block) {
        problems.push(`${blockId}: not an input block of the view`);
        continue;
      }
      const el = block['element'] as Json;
      const [actionId, value] = Object.entries(actions)[0] ?? [];
      if (Object.keys(actions).length !== 1 || actionId !== el['action_id'] || !value) {
        problems.push(`${blockId}: the element's action_id is ${String(el['action_id'])}, not ${Object.keys(actions).join(', ')}`);
        continue;
      }
      if (value['type'] !== el['type']) problems.push(`${blockId}: the element is a ${String(el['type'])}, not a ${String(value['type'])}`);
      const offered = new Set(
        [...(Array.isArray(el['options']) ? (el['options'] as Json[]) : []), ...(el['initial_option'] ? [el['initial_option'] as Json] : [])].map((o) => String(o['value'])),
      );
      if (el['type'] === 'external_select') for (const x of this.served.get(`${viewId}/${blockId}`) ?? []) offered.add(x);
      const chosen = [...(value['selected_option'] ? [value['selected_option'] as Json] : []), ...(Array.isArray(value['selected_options']) ? (value['selected_options'] as Json[]) : [])];
      for (const o of chosen) if (!offered.has(String(o['value']))) problems.push(`${blockId}: '${String(o['value'])}' was never offered by the ${String(el['type'])}`);
    }
    return problems;
  }

  /** Calls Slack answered with ok:false, but for 429s (a rate limit refuses no content: see `rateLimited`). */
  failures(): Call[] {
    return this.calls.filter((c) => !c.ok && c.error !== 'ratelimited');
  }

  /** Calls answered 429 (rate limited). */
  rateLimited(): Call[] {
    return this.calls.filter((c) => c.error === 'ratelimited');
  }

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.ok);
  }

  /** Top-level messages in a channel (not thread replies), oldest first. */
  channelMessages(channel: string): PostedMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.threadTs === null);
  }

  threadReplies(channel: string, ts: string): PostedMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.threadTs === ts);
  }

  /** Direct messages the bot sent to a user. */
  dmsTo(userId: string): PostedMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === `D${userId}`);
  }

  /** Polls until `probe` returns a value (bounded). */
  async waitFor<T>(probe: () => T | null | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== null && v !== undefined && v !== false) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ Socket Mode

  /** Sends an envelope to every connected Socket Mode client. */
  sendEnvelope(envelope: Json): void {
    const text = JSON.stringify(envelope);
    for (const s of this.sockets) s.send(text);
  }

  get socketClients(): number {
    return this.sockets.size;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!req.url?.startsWith('/link')) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('message', (data: Buffer) => {
        try {
          this.socketInbox.push(JSON.parse(data.toString('utf8')) as Json);
        } catch {
          this.socketInbox.push({ unparsable: data.toString('utf8') });
        }
      });
      ws.on('close', () => this.sockets.delete(ws));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
    });
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    const url = req.url ?? '/';
    if (url.startsWith('/response/')) return this.respondUrl(url.slice('/response/'.length), raw, req, res);
    const m = /^\/api\/([a-zA-Z.]+)$/.exec(url);
    if (!m?.[1] || req.method !== 'POST') return void res.writeHead(404).end();
    const args = this.parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args['token'] === 'string' ? args['token'] : null);
    const retryAfter = this.overLimit(m[1], args);
    if (retryAfter !== null) {
      this.calls.push({ method: m[1], args, token: auth, ok: false, error: 'ratelimited', problems: [], at: performance.now() });
      return void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    const delay = this.delays[m[1]];
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const out = this.dispatch(m[1], args, auth);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  }

  private parseArgs(raw: string, contentType: string): Json {
    if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Json;
    const args: Json = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      args[k] = JSON_FIELDS.has(k) ? (JSON.parse(v) as unknown) : v;
    }
    return args;
  }

  private respondUrl(id: string, raw: string, req: IncomingMessage, res: ServerResponse): void {
    const list = this.responses.get(id);
    if (!list || req.method !== 'POST') return void res.writeHead(404).end('no such response_url');
    if (list.length >= 5) return void res.writeHead(404).end('used_url');
    const body = JSON.parse(raw || '{}') as Json;
    const problems = body['blocks'] === undefined ? [] : checkBlocks(body['blocks'], 'message');
    if (problems.length || (typeof body['text'] !== 'string' && body['blocks'] === undefined && body['delete_original'] !== true)) {
      this.calls.push({ method: 'response_url', args: body, token: null, ok: false, error: 'invalid_blocks', problems, at: performance.now() });
      return void res.writeHead(400).end('invalid_blocks');
    }
    this.calls.push({ method: 'response_url', args: body, token: null, ok: true, error: null, problems: [], at: performance.now() });
    list.push(body);
    this.applyResponse(id, list.length, body);
    res.writeHead(200).end('ok');
  }

  /** What Slack does with a post to a response_url: replaces or deletes the message clicked, or posts a new (ephemeral) one. */
  private applyResponse(id: string, n: number, body: Json): void {
    const target = this.responseTargets.get(id) ?? {};
    const original = target.original;
    const text = typeof body['text'] === 'string' ? body['text'] : '';
    const blocks = Array.isArray(body['blocks']) ? (body['blocks'] as Json[]) : [];
    if (original && (body['replace_original'] === true || body['delete_original'] === true)) {
      const msg = 'ephemeral' in original ? original.ephemeral : original.message;
      if (body['delete_original'] === true) {
        if ('ephemeral' in original) original.ephemeral.deleted = true;
        else this.messages.delete(`${original.message.channel}/${original.message.ts}`);
      } else {
        msg.history.push({ text: msg.text, blocks: msg.blocks });
        msg.text = text;
        msg.blocks = blocks;
      }
      return;
    }
    this.responseMessages.push({ id: `${id}/${n}`, channel: target.channel ?? null, user: target.user ?? null, ts: this.nextTs(), text, blocks, history: [], deleted: false });
  }

  private dispatch(method: string, args: Json, token: string | null): Json {
    const call: Call = { method, args, token, ok: true, error: null, problems: [], at: performance.now() };
    this.calls.push(call);
    const refuse = (error: string, problems: string[] = [], extra: Json = {}) => {
      call.ok = false;
      call.error = error;
      call.problems = problems;
      return { ok: false, error, ...(problems.length ? { response_metadata: { messages: problems } } : {}), ...extra };
    };
    const needs = METHOD_SCOPES[method];
    if (!needs) return refuse('unknown_method');
    const expected = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (token !== expected) return refuse(token ? 'invalid_auth' : 'not_authed');
    if (method !== 'apps.connections.open' && needs.length && !needs.some((s) => this.scopes.has(s))) {
      return refuse('missing_scope', [], { needed: needs.join(','), provided: [...this.scopes].join(',') });
    }
    const str = (k: string): string | null => {
      const v = args[k];
      return typeof v === 'string' ? v : null;
    };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'gatehouse', team_id: this.teamId, user_id: this.botUserId, bot_id: 'BFAKE' };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/link/?ticket=${randomBytes(6).toString('hex')}` };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return refuse('channel_not_found');
        const problem = this.checkChannel(channel);
        if (problem) return refuse(problem);
        const text = str('text') ?? '';
        const blocks = args['blocks'];
        if (!text && blocks === undefined) return refuse('no_text');
        if (text.length > 40_000) return refuse('msg_too_long');
        const problems = blocks === undefined ? [] : checkBlocks(blocks, 'message');
        if (problems.length) return refuse('invalid_blocks', problems);
        const threadTs = str('thread_ts');
        if (threadTs && !this.messages.has(`${channel}/${threadTs}`)) return refuse('thread_not_found');
        const ts = this.nextTs();
        this.messages.set(`${channel}/${ts}`, { channel, ts, threadTs, text, blocks: (blocks as Json[] | undefined) ?? [], history: [] });
        return { ok: true, channel, ts, message: { type: 'message', user: this.botUserId, bot_id: 'BFAKE', text, ts } };
      }
      case 'chat.update': {
        const channel = str('channel') ?? '';
        const ts = str('ts') ?? '';
        const msg = this.messages.get(`${channel}/${ts}`);
        // Only messages the bot posted can be updated (Slack: cant_update_message / message_not_found).
        if (!msg) return refuse('message_not_found');
        const blocks = args['blocks'];
        const problems = blocks === undefined ? [] : checkBlocks(blocks, 'message');
        if (problems.length) return refuse('invalid_blocks', problems);
        msg.history.push({ text: msg.text, blocks: msg.blocks });
        msg.text = str('text') ?? msg.text;
        if (blocks !== undefined) msg.blocks = blocks as Json[];
        return { ok: true, channel, ts, text: msg.text };
      }
      case 'chat.postEphemeral': {
        const channel = str('channel');
        const user = str('user');
        if (!channel || !user) return refuse(channel ? 'user_not_in_channel' : 'channel_not_found');
        const blocks = args['blocks'];
        const problems = blocks === undefined ? [] : checkBlocks(blocks, 'message');
        if (problems.length) return refuse('invalid_blocks', problems);
        this.ephemerals.push({ channel, user, text: str('text') ?? '', blocks: (blocks as Json[] | undefined) ?? [] });
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'chat.getPermalink': {
        const channel = str('channel') ?? '';
        const ts = str('message_ts') ?? '';
        if (!this.messages.has(`${channel}/${ts}`)) return refuse('message_not_found');
        return { ok: true, channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` };
      }
      case 'conversations.open': {
        const users = (str('users') ?? '').split(',').filter(Boolean);
        if (users.length !== 1) return refuse(users.length ? 'not_supported' : 'users_list_not_supplied');
        const info = this.directory.get(users[0] ?? '');
        if (info?.deleted) return refuse('user_disabled');
        const id = `D${users[0] ?? ''}`;
        this.openDms.add(id);
        return { ok: true, channel: { id } };
      }
      case 'users.info': {
        const user = str('user') ?? '';
        const info = this.directory.get(user) ?? { name: user.toLowerCase() };
        return { ok: true, user: { id: user, name: info.name, real_name: info.name, deleted: info.deleted ?? false, is_bot: info.is_bot ?? false, profile: { display_name: info.name, real_name: info.name } } };
      }
      case 'views.open': {
        const trigger = str('trigger_id') ?? '';
        const t = this.triggers.get(trigger);
        if (!t) return refuse('invalid_trigger_id');
        if (t.used) return refuse('exchanged_trigger_id');
        if (Date.now() - t.issuedAt > this.triggerTtlMs) return refuse('expired_trigger_id');
        t.used = true;
        const problems = checkModal(args['view']);
        if (problems.length) return refuse('invalid_arguments', problems);
        const id = `V${++this.seq}`;
        const opened: OpenedView = { id, hash: randomBytes(4).toString('hex'), view: args['view'] as Json, userId: null };
        this.views.set(id, opened);
        return { ok: true, view: { ...opened.view, id, hash: opened.hash } };
      }
      case 'views.update': {
        const id = str('view_id') ?? '';
        const v = this.views.get(id);
        if (!v) return refuse('not_found');
        if (str('hash') && str('hash') !== v.hash) return refuse('hash_conflict');
        const problems = checkModal(args['view']);
        if (problems.length) return refuse('invalid_arguments', problems);
        v.view = args['view'] as Json;
        v.hash = randomBytes(4).toString('hex');
        return { ok: true, view: { ...v.view, id, hash: v.hash } };
      }
      case 'views.publish': {
        const user = str('user_id') ?? '';
        if (!/^[UW][A-Z0-9]+$/.test(user)) return refuse('user_not_found');
        const home = this.homes.get(user);
        if (str('hash') && str('hash') !== home?.hash) return refuse('hash_conflict');
        const problems = checkHome(args['view']);
        if (problems.length) return refuse('invalid_arguments', problems);
        const published = { view: args['view'] as Json, hash: randomBytes(4).toString('hex'), published: (home?.published ?? 0) + 1 };
        this.homes.set(user, published);
        return { ok: true, view: { ...published.view, id: `VHOME${user}`, hash: published.hash } };
      }
      default:
        return refuse('unknown_method');
    }
  }

  /**
   * Seconds until the method may be called again in this channel when the call is past its rate
   * limit (then it is not made), else null (and the call counts against the limit).
   */
  private overLimit(method: string, args: Json): number | null {
    const perSecond = this.rateLimits[method];
    if (perSecond === undefined) return null;
    const key = `${method} ${typeof args['channel'] === 'string' ? args['channel'] : '*'}`;
    const now = Date.now();
    const recent = (this.accepted.get(key) ?? []).filter((t) => now - t < 1000);
    this.accepted.set(key, recent);
    if (recent.length < perSecond) {
      recent.push(now);
      return null;
    }
    // Whole seconds, as Slack gives them (so at least 1: the window is a second long).
    return Math.max(1, Math.ceil(((recent[0] ?? now) + 1000 - now) / 1000));
  }

  /** Why Slack would refuse to post in this channel, or null. */
  private checkChannel(channel: string): string | null {
    if (channel.startsWith('D')) return this.openDms.has(channel) ? null : 'channel_not_found';
    if (/^[CG][A-Z0-9_]+$/.test(channel)) {
      // The bot is in no channel here: public channels need chat:write.public.
      if (channel.startsWith('C') && !this.scopes.has('chat:write.public')) return 'not_in_channel';
      return null;
    }
    return 'channel_not_found';
  }

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }
}

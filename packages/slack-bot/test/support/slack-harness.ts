import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Account, ApprovalType, LogStore, Logger } from '@gatehouse/core';
import { APPROVAL_TYPES, FakeClock, Gatehouse, openStore } from '@gatehouse/core';
import { ConfigSchema } from '../../src/config.js';
import { seedDemo } from '../../src/demo.js';
import type { RunningServer } from '../../src/server.js';
import { startServer } from '../../src/server.js';
import type { FakeSlackOptions, PostedMessage, ResponseMessage } from './fake-slack.js';
import { FakeSlack, manifestBotScopes } from './fake-slack.js';
import type { SignOptions } from './slack-requests.js';
import { blockActionPayload, blockSuggestionPayload, commandBody, eventBody, homeActionPayload, interactionBody, postSigned, viewActionPayload, viewSubmissionPayload } from './slack-requests.js';

export const TEAM = 'TDEMO';
export const SECRET = 'test-signing-secret-123';
export const APPROVALS = 'CAPPROVALS';
export const GENERAL = 'CGENERAL';
export const MANIFEST = fileURLToPath(new URL('../../../manifest.yaml', import.meta.url));

/** An in-memory store whose writes take `delayMs` while it is above 0 (a busy database). */
export async function slowStore(): Promise<LogStore & { delayMs: number }> {
  const store = await openStore({ url: 'memory' });
  const slow: LogStore & { delayMs: number } = {
    kind: store.kind,
    delayMs: 0,
    readCommits: (accountId, afterSeq) => store.readCommits(accountId, afterSeq),
    tryAppend: async (accountId, commit) => {
      if (slow.delayMs > 0) await new Promise((r) => setTimeout(r, slow.delayMs));
      return store.tryAppend(accountId, commit);
    },
    loadSnapshot: (accountId) => store.loadSnapshot(accountId),
    saveSnapshot: (accountId, snapshot) => store.saveSnapshot(accountId, snapshot),
    getMeta: (key, schema) => store.getMeta(key, schema),
    setMeta: (key, value) => store.setMeta(key, value),
    ...(store.claim ? { claim: (key: string, ttlMs: number) => store.claim?.(key, ttlMs) ?? Promise.resolve(true) } : {}),
    close: () => store.close(),
  };
  return slow;
}

/** A logger that keeps what it was told, so tests can assert nothing went wrong unseen. */
export function recordingLogger(): Logger & { lines: { level: string; msg: string; facts: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; facts: Record<string, unknown> }[] = [];
  const log = (level: string) => (msg: string, facts: Record<string, unknown> = {}) => void lines.push({ level, msg, facts });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

type Values = Record<string, Record<string, Record<string, unknown>>>;

/** A user mention as Slack escapes it in command text. */
export const at = (id: string) => `<@${id}|${id.slice(1).toLowerCase()}>`;

/** A channel as Slack escapes it in command text. */
export const chan = (id: string, name: string) => `<#${id}|${name}>`;

/**
 * The real server (REST + Bolt in HTTP mode) on an in-memory store (or `store`) seeded with the
 * demo account, talking to a local fake Slack; and a driver that sends signed requests like Slack.
 */
export async function setupSlack(opts: { env?: Record<string, string>; seed?: boolean; socketMode?: boolean; fake?: FakeSlackOptions; store?: LogStore | { url: string; namespace: string } } = {}) {
  const fake = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), teamId: TEAM, ...opts.fake });
  const clock = new FakeClock(Date.now());
  const store = opts.store;
  const url = store && 'url' in store ? store.url : 'memory';
  const gatehouse = await Gatehouse.open(store && 'url' in store ? { url, namespace: store.namespace, clock } : { url, clock, ...(store ? { store } : {}) });
  const demo = opts.seed === false ? null : await seedDemo(gatehouse, TEAM);
  const logger = recordingLogger();
  const config = ConfigSchema.parse({
    PORT: '0',
    HOST: '127.0.0.1',
    GATEHOUSE_STORE: url,
    GATEHOUSE_ACCOUNT_ID: TEAM,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    GATEHOUSE_DEFAULT_CHANNEL: APPROVALS,
    LOG_LEVEL: 'warn',
    ...(opts.socketMode ? { SLACK_APP_TOKEN: fake.appToken } : {}),
    ...opts.env,
  });
  const server: RunningServer = await startServer(config, { gatehouse, logger });
  const account: Account = await gatehouse.account(TEAM);
  const endpoint = `${server.url}/slack/events`;
  const nameOf = (userId: string) => userId.slice(1).toLowerCase();

  /** Waits until the notifier has sent everything it queued. */
  const settle = async () => {
    await server.slack?.idle();
  };

  /** Runs the slash command as `userId`; resolves with the ephemeral answer (the first response_url post). */
  const command = async (userId: string, text: string, sign: SignOptions = {}) => {
    const responseUrl = fake.responseUrl({ channel: GENERAL, user: userId });
    const triggerId = fake.issueTrigger();
    const body = commandBody({ command: config.SLACK_COMMAND, text, teamId: TEAM, userId, userName: nameOf(userId), channelId: GENERAL, responseUrl, triggerId });
    const res = await postSigned(endpoint, SECRET, body, sign);
    return { ...res, responseUrl, triggerId, body };
  };

  /** The command's ephemeral answer as plain text (all sections joined). */
  const reply = async (userId: string, text: string): Promise<{ text: string; blocks: Json[] }> => {
    const r = await command(userId, text);
    assert.equal(r.status, 200, `the command was acknowledged (${text})`);
    const got = await fake.waitFor(() => fake.responsesTo(r.responseUrl)[0], `the answer to "${text}"`);
    assert.equal(got['response_type'], 'ephemeral', 'answers are ephemeral');
    return { text: textOf(got), blocks: Array.isArray(got['blocks']) ? (got['blocks'] as Json[]) : [] };
  };
  const answer = async (userId: string, text: string): Promise<string> => (await reply(userId, text)).text;

  /**
   * Clicks a button of a message the bot posted. The button must be there, or have been there in
   * an earlier rendering (a person may click a message their client has not redrawn yet).
   */
  const click = async (userId: string, msg: Pick<PostedMessage, 'channel' | 'ts' | 'blocks'> & { history?: PostedMessage['history'] }, actionId: string, sign: SignOptions = {}, extra: { triggerId?: string; responseUrl?: string; ephemeral?: boolean } = {}) => {
    const shown = [msg, ...(msg.history ?? []).toReversed()].find((m) => actionIds(m).includes(actionId)) ?? msg;
    const button = findButton(shown, actionId);
    const triggerId = extra.triggerId ?? fake.issueTrigger();
    const posted = fake.messages.get(`${msg.channel}/${msg.ts}`);
    const responseUrl = extra.responseUrl ?? fake.responseUrl({ channel: msg.channel, user: userId, ...(posted ? { original: { message: posted } } : {}) });
    const payload = blockActionPayload({ teamId: TEAM, userId, userName: nameOf(userId), channelId: msg.channel, messageTs: msg.ts, ephemeral: extra.ephemeral ?? false, actionId, blockId: button.blockId, value: button.value, triggerId, responseUrl });
    const res = await postSigned(endpoint, SECRET, interactionBody(payload), sign);
    return { ...res, triggerId, responseUrl };
  };

  /** Clicks a button of an ephemeral message (an answer through a response_url); only its click's response_url can replace it. */
  const clickEphemeral = async (userId: string, msg: ResponseMessage, actionId: string) => {
    assert.equal(msg.user, userId, 'an ephemeral message is clicked by the one user who sees it');
    assert.ok(!msg.deleted, 'the message is still there');
    const responseUrl = fake.responseUrl({ channel: msg.channel, user: userId, original: { ephemeral: msg } });
    return click(userId, { channel: msg.channel ?? GENERAL, ts: msg.ts, blocks: msg.blocks, history: msg.history.map((h) => ({ ...h })) }, actionId, {}, { ephemeral: true, responseUrl });
  };

  /** A view the bot opened, as an interaction payload names it. */
  const viewRef = (viewId: string) => {
    const v = fake.views.get(viewId);
    assert.ok(v, `view ${viewId} was opened`);
    return { id: v.id, hash: v.hash, callback_id: String(v.view['callback_id']), private_metadata: typeof v.view['private_metadata'] === 'string' ? v.view['private_metadata'] : '' };
  };

  /** Submits a modal the bot opened, with these state values (ones Slack could send); the answer is applied to the view as Slack would. */
  const submit = async (userId: string, viewId: string, values: Values) => {
    assert.deepEqual(fake.checkSubmission(viewId, values), [], 'values Slack could send for this view');
    const payload = viewSubmissionPayload({ teamId: TEAM, userId, userName: nameOf(userId), view: viewRef(viewId), values, triggerId: fake.issueTrigger() });
    const res = await postSigned(endpoint, SECRET, interactionBody(payload));
    fake.applyViewResponse(viewId, res.text);
    return res;
  };

  /**
   * Types `typed` into the external select of input block `blockId` of a modal the bot opened:
   * Slack's block_suggestion (once min_query_length characters are typed, 3 by default). Resolves
   * with the options Slack would show, and the HTTP answer.
   */
  const suggest = async (userId: string, viewId: string, blockId: string, typed: string) => {
    const blocks = Array.isArray(fake.views.get(viewId)?.view['blocks']) ? (fake.views.get(viewId)?.view['blocks'] as Json[]) : [];
    const el = (blocks.find((b) => b['type'] === 'input' && b['block_id'] === blockId)?.['element'] ?? {}) as Json;
    assert.equal(el['type'], 'external_select', `Slack asks for options only for an external select (${blockId} is a ${String(el['type'])})`);
    const min = typeof el['min_query_length'] === 'number' ? el['min_query_length'] : 3;
    assert.ok(typed.length >= min, `Slack asks once ${min} characters are typed`);
    const payload = blockSuggestionPayload({ teamId: TEAM, userId, userName: nameOf(userId), view: viewRef(viewId), actionId: String(el['action_id']), blockId, value: typed });
    const res = await postSigned(endpoint, SECRET, interactionBody(payload));
    return { ...res, actionId: String(el['action_id']), shown: fake.applyOptionsAnswer(viewId, blockId, res.text) };
  };

  /** Clicks a button of a modal the bot opened (the button must be in the view). */
  const clickInView = async (userId: string, viewId: string, actionId: string) => {
    const v = fake.views.get(viewId);
    const button = findButton({ blocks: Array.isArray(v?.view['blocks']) ? (v.view['blocks'] as Json[]) : [] }, actionId);
    const payload = viewActionPayload({ teamId: TEAM, userId, userName: nameOf(userId), view: viewRef(viewId), actionId, blockId: button.blockId, value: button.value, triggerId: fake.issueTrigger() });
    return postSigned(endpoint, SECRET, interactionBody(payload));
  };

  /** The user opens the bot's App Home: Slack's app_home_opened event; for the Home tab, resolves once it was published. */
  let events = 0;
  const openHome = async (userId: string, tab: 'home' | 'messages' = 'home') => {
    const before = fake.homes.get(userId)?.published ?? 0;
    const body = eventBody(TEAM, `EvHome${++events}.${Date.now()}`, { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab });
    const res = await postSigned(endpoint, SECRET, body, { contentType: 'application/json' });
    if (tab === 'home' && res.status === 200) await fake.waitFor(() => (fake.homes.get(userId)?.published ?? 0) > before, `the Home of ${userId} to be published`);
    return res;
  };

  /** The user's Home tab as last published (waits for the publication that satisfies `until`). */
  const home = async (userId: string, until: (h: { text: string; blocks: Json[]; published: number }) => boolean = () => true) =>
    fake.waitFor(() => {
      const h = fake.homes.get(userId);
      const blocks = Array.isArray(h?.view['blocks']) ? (h.view['blocks'] as Json[]) : [];
      const got = h ? { text: textOf({ blocks }), blocks, published: h.published } : null;
      return got && until(got) ? got : null;
    }, `the Home of ${userId}`);

  /** Clicks a button of the user's Home tab as last published (the button must be there). */
  const clickInHome = async (userId: string, actionId: string) => {
    const blocks = (await home(userId)).blocks;
    const button = findButton({ blocks }, actionId);
    const payload = homeActionPayload({ teamId: TEAM, userId, userName: nameOf(userId), actionId, blockId: button.blockId, value: button.value, triggerId: fake.issueTrigger() });
    return postSigned(endpoint, SECRET, interactionBody(payload));
  };

  /** Runs the slash command and resolves with the modal it opened, and the command (for its response_url). */
  const openModal = async (userId: string, text: string) => {
    const before = fake.views.size;
    const cmd = await command(userId, text);
    assert.equal(cmd.status, 200, `the command was acknowledged (${text})`);
    const view = await fake.waitFor(() => fake.views.size > before && [...fake.views.values()].at(-1), `the modal of "${text}"`);
    return { cmd, view };
  };

  /** The most recent modal opened. */
  const lastView = () => [...fake.views.values()].at(-1);

  /** Asserts Slack refused nothing and nothing was logged as an error. */
  const assertClean = () => {
    assert.deepEqual(
      fake.failures().map((c) => `${c.method}: ${c.error ?? ''} ${c.problems.join('; ')}`),
      [],
      'Slack refused no call',
    );
    assert.deepEqual(
      logger.lines.filter((l) => l.level === 'error').map((l) => `${l.msg} ${JSON.stringify(l.facts)}`),
      [],
      'no error was logged',
    );
  };

  const close = async () => {
    await server.close();
    await gatehouse.close();
    await fake.close();
  };

  return { fake, clock, gatehouse, account, demo, config, server, logger, endpoint, command, reply, answer, click, clickEphemeral, openModal, submit, suggest, clickInView, openHome, home, clickInHome, lastView, settle, assertClean, close };
}

export type SlackCtx = Awaited<ReturnType<typeof setupSlack>>;

type Json = Record<string, unknown>;

/** Every text in a message or response (sections, fields, context, header), joined by newlines. */
export function textOf(msg: { text?: unknown; blocks?: unknown }): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Json;
    if ((o['type'] === 'mrkdwn' || o['type'] === 'plain_text') && typeof o['text'] === 'string') out.push(o['text']);
    for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
  };
  walk(msg.blocks);
  if (out.length === 0 && typeof msg.text === 'string') out.push(msg.text);
  return out.join('\n');
}

/** The button with this action_id in a message, with its block. */
export function findButton(msg: { blocks: Json[] }, actionId: string): { blockId: string; value: string } {
  for (const b of msg.blocks) {
    const els = b['elements'];
    if (b['type'] !== 'actions' || !Array.isArray(els)) continue;
    for (const e of els as Json[]) if (e['action_id'] === actionId) return { blockId: String(b['block_id']), value: typeof e['value'] === 'string' ? e['value'] : '' };
  }
  assert.fail(`no button ${actionId} in the message (buttons: ${actionIds(msg).join(', ') || 'none'})`);
}

export function actionIds(msg: { blocks: Json[] }): string[] {
  return msg.blocks.flatMap((b) => (b['type'] === 'actions' && Array.isArray(b['elements']) ? (b['elements'] as Json[]).map((e) => String(e['action_id'])) : []));
}

/** State values for a modal's input blocks, as Slack sends them. */
export const state = {
  text: (value: string) => ({ v: { type: 'plain_text_input', value } }),
  select: (value: string) => ({ v: { type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } } }),
  /** An option picked in an external select (its action_id names where its options come from). */
  picked: (actionId: string, o: { value: string; text: string }) => ({ [actionId]: { type: 'external_select', selected_option: { value: o.value, text: { type: 'plain_text', text: o.text } } } }),
  user: (id: string) => ({ v: { type: 'users_select', selected_user: id } }),
  channel: (id: string) => ({ v: { type: 'conversations_select', selected_conversation: id } }),
  radio: (value: string) => ({ v: { type: 'radio_buttons', selected_option: { value, text: { type: 'plain_text', text: value } } } }),
  checks: (values: string[]) => ({ v: { type: 'checkboxes', selected_options: values.map((value) => ({ value, text: { type: 'plain_text', text: value } })) } }),
};

/** The rule form's values as Slack sends them: every quorum select (0 = not required), and the checked switches. */
export function ruleValues(quorums: Partial<Record<ApprovalType, number>>, checks: ('sod' | 'release')[]): Values {
  const values: Values = Object.fromEntries(APPROVAL_TYPES.map((t) => [`quorum:${t}`, state.select(String(quorums[t] ?? 0))]));
  values['checks'] = state.checks(checks);
  return values;
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { ConfigSchema, ConfigVariablesSchema } from '../src/config.js';
import { checkBlocks, checkModal, checkOptionsAnswer } from './support/block-kit.js';
import { FakeSlack, manifestBotScopes } from './support/fake-slack.js';
import { MANIFEST } from './support/slack-harness.js';

/** The fake must refuse what Slack refuses, or the integration tests prove nothing. */
describe('Slack: the fake Web API refuses what Slack refuses', () => {
  let fake: FakeSlack;
  let client: WebClient;
  beforeEach(async () => {
    fake = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), triggerTtlMs: 200 });
    client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  });
  afterEach(async () => {
    await fake.close();
  });

  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return (err as { data?: { error?: string } }).data?.error ?? String(err);
    }
    return assert.fail('Slack accepted it');
  };

  it('the manifest grants exactly the scopes the app uses; .env.example lists every variable and parses', () => {
    assert.deepEqual(manifestBotScopes(MANIFEST).sort(), ['chat:write', 'chat:write.public', 'commands', 'im:write', 'users:read']);
    const manifest = readFileSync(MANIFEST, 'utf8');
    assert.match(manifest, /socket_mode_enabled: true/);
    assert.match(manifest, /command: \/gatehouse/);
    const example = readFileSync(fileURLToPath(new URL('../../../../.env.example', import.meta.url)), 'utf8');
    const listed = [...example.matchAll(/^(?:# )?([A-Z_]+)=(.*)$/gm)];
    assert.deepEqual(listed.map((m) => m[1]).sort(), Object.keys(ConfigVariablesSchema.shape).sort());
    const set = Object.fromEntries(listed.filter((m) => !m[0].startsWith('#')).map((m) => [m[1] ?? '', m[2] ?? '']));
    assert.ok(ConfigSchema.safeParse(set).success, 'the uncommented values are valid');
  });

  it('Block Kit limits: blocks per message, checkboxes options, duplicate action_ids, text lengths, empty text', () => {
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    assert.match(checkBlocks(Array.from({ length: 51 }, () => section), 'message').join(), /51 blocks, max 50/);
    assert.deepEqual(checkBlocks(Array.from({ length: 100 }, () => section), 'modal'), []);
    const options = Array.from({ length: 11 }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `o${i}` }));
    assert.match(checkModal({ type: 'modal', title: { type: 'plain_text', text: 't' }, submit: { type: 'plain_text', text: 's' }, blocks: [{ type: 'input', label: { type: 'plain_text', text: 'l' }, element: { type: 'checkboxes', action_id: 'c', options } }] }).join(), /11 options, max 10/);
    const button = (id: string) => ({ type: 'button', action_id: id, text: { type: 'plain_text', text: 'b' } });
    assert.match(checkBlocks([{ type: 'actions', elements: [button('a')] }, { type: 'actions', elements: [button('a')] }], 'message').join(), /duplicate action_id 'a'/);
    assert.match(checkBlocks([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }], 'message').join(), /1-25 elements/);
    assert.match(checkBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], 'message').join(), /151 characters, max 150/);
    assert.match(checkBlocks([{ type: 'section', text: { type: 'mrkdwn', text: '' } }], 'message').join(), /must not be empty/);
    assert.match(checkModal({ type: 'modal', title: { type: 'plain_text', text: 'A title that is far too long' }, blocks: [] }).join(), /max 24/);
  });

  it('external selects and the answers to block_suggestion: at most 100 options (or groups), labels of 75, no options of their own', () => {
    const option = (i: number) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `o${i}` });
    const many = (n: number) => Array.from({ length: n }, (_, i) => option(i));
    assert.deepEqual(checkOptionsAnswer({ options: many(100) }), []);
    assert.match(checkOptionsAnswer({ options: many(101) }).join(), /101 options, max 100/);
    assert.deepEqual(checkOptionsAnswer({ option_groups: [{ label: { type: 'plain_text', text: '100 of 120' }, options: many(100) }] }), []);
    assert.match(checkOptionsAnswer({ option_groups: [{ label: { type: 'plain_text', text: 'l'.repeat(76) }, options: many(1) }] }).join(), /76 characters, max 75/);
    assert.match(checkOptionsAnswer({ options: many(1), option_groups: [] }).join(), /one of them/);
    assert.match(checkOptionsAnswer({}).join(), /one of them/);
    const input = (element: object) => ({ type: 'modal', title: { type: 'plain_text', text: 't' }, submit: { type: 'plain_text', text: 's' }, blocks: [{ type: 'input', label: { type: 'plain_text', text: 'l' }, element }] });
    assert.deepEqual(checkModal(input({ type: 'external_select', action_id: 'x', min_query_length: 0, initial_option: option(1) })), []);
    assert.match(checkModal(input({ type: 'external_select', action_id: 'x', options: many(2) })).join(), /loads its options/);
    assert.match(checkModal(input({ type: 'static_select', action_id: 'x', options: many(101) })).join(), /101 options, max 100/);
  });

  it('a response_url post is a new ephemeral message; with replace_original from a click on one, it replaces that one', async () => {
    const post = (url: string, body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = fake.responseUrl({ channel: 'C1', user: 'U1' });
    await post(answer, { response_type: 'ephemeral', text: 'first' });
    const msg = fake.responseMessageOf(answer) ?? assert.fail('a message');
    assert.deepEqual([msg.channel, msg.user, msg.text], ['C1', 'U1', 'first']);
    const click = fake.responseUrl({ channel: 'C1', user: 'U1', original: { ephemeral: msg } });
    await post(click, { response_type: 'ephemeral', replace_original: true, text: 'second' });
    assert.deepEqual([msg.text, msg.history.map((h) => h.text)], ['second', ['first']]);
    await post(click, { response_type: 'ephemeral', replace_original: false, text: 'aside' });
    assert.deepEqual(fake.responseMessages.map((m) => m.text), ['second', 'aside'], 'without replace_original: a new message');
    await post(click, { delete_original: true });
    assert.equal(msg.deleted, true);
  });

  it('chat.update only on messages the bot posted; threads must exist; DMs must be opened', async () => {
    assert.equal(await refusal(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })), 'message_not_found');
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'hello' });
    await client.chat.update({ channel: 'C1', ts: posted.ts ?? '', text: 'edited' });
    assert.equal(await refusal(client.chat.postMessage({ channel: 'C1', thread_ts: '9.999999', text: 'x' })), 'thread_not_found');
    assert.equal(await refusal(client.chat.postMessage({ channel: 'DU1', text: 'x' })), 'channel_not_found');
    await client.conversations.open({ users: 'U1' });
    await client.chat.postMessage({ channel: 'DU1', text: 'x' });
    assert.equal(await refusal(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(200) } }] })), 'invalid_blocks');
  });

  it('a trigger_id is valid once and only briefly', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'T' }, blocks: [] };
    const t = fake.issueTrigger();
    await client.views.open({ trigger_id: t, view });
    assert.equal(await refusal(client.views.open({ trigger_id: t, view })), 'exchanged_trigger_id');
    assert.equal(await refusal(client.views.open({ trigger_id: 'made-up', view })), 'invalid_trigger_id');
    const late = fake.issueTrigger();
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await refusal(client.views.open({ trigger_id: late, view })), 'expired_trigger_id');
  });

  it('rate limits: past N posts a second in a channel, HTTP 429 with Retry-After, and nothing is posted; other channels are not limited', async () => {
    const limited = await FakeSlack.start({ scopes: manifestBotScopes(MANIFEST), rateLimits: { 'chat.postMessage': 2 } });
    try {
      const post = (channel: string) => fetch(`${limited.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${limited.botToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ channel, text: 'x' }) });
      const answers = [await post('C1'), await post('C1'), await post('C1'), await post('C2')];
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 429, 200]);
      assert.equal(answers[2]?.headers.get('retry-after'), '1');
      assert.deepEqual(await answers[2]?.json(), { ok: false, error: 'ratelimited' });
      assert.equal(limited.channelMessages('C1').length, 2);
      assert.equal(limited.rateLimited().length, 1);
      assert.deepEqual(limited.failures(), [], 'a 429 is not a refusal of what was sent');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await post('C1')).status, 200, 'a second later it is accepted');
      // A client made with rejectRateLimitedCalls throws the Retry-After; the default one would wait and retry.
      const c = new WebClient(limited.botToken, { slackApiUrl: limited.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
      await c.chat.postMessage({ channel: 'C3', text: 'x' });
      await c.chat.postMessage({ channel: 'C3', text: 'x' });
      await assert.rejects(c.chat.postMessage({ channel: 'C3', text: 'x' }), (err: { code?: string; retryAfter?: number }) => err.code === 'slack_webapi_rate_limited_error' && err.retryAfter === 1);
    } finally {
      await limited.close();
    }
  });

  it('scopes: a method the bot was not granted is refused; a wrong token too', async () => {
    const narrow = await FakeSlack.start({ scopes: ['chat:write'] });
    try {
      const c = new WebClient(narrow.botToken, { slackApiUrl: narrow.apiUrl, retryConfig: { retries: 0 } });
      assert.equal(await refusal(c.users.info({ user: 'U1' })), 'missing_scope');
      assert.equal(await refusal(c.conversations.open({ users: 'U1' })), 'missing_scope');
      assert.equal(await refusal(c.chat.postMessage({ channel: 'C1', text: 'x' })), 'not_in_channel', 'public channels need chat:write.public');
      const bad = new WebClient('xoxb-wrong', { slackApiUrl: narrow.apiUrl, retryConfig: { retries: 0 } });
      assert.equal(await refusal(bad.auth.test()), 'invalid_auth');
    } finally {
      await narrow.close();
    }
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiErrorSchema } from '@gatehouse/core/contract';
import { z } from 'zod';
import { OPERATIONS } from '../src/rest/openapi.js';
import { MAX_COMMAND_TEXT } from '../src/slack/listeners/commands/gatehouse.js';
import { SUBCOMMANDS } from '../src/slack/commands/index.js';
import { tokenize } from '../src/slack/parse.js';
import { regexTokenize } from './support/tokenize-oracle.js';
import { ACTION, VIEW } from '../src/slack/ids.js';
import type { Ctx } from './rest-harness.js';
import { setup } from './rest-harness.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, SECRET, TEAM, recordingLogger, setupSlack, textOf } from './support/slack-harness.js';
import { blockActionPayload, commandBody, interactionBody, postSigned, sign as signBody, viewSubmissionPayload } from './support/slack-requests.js';

/**
 * Property-based fuzzing of everything a client controls: REST paths, queries, bodies and content
 * types against every route of the OpenAPI document, and signed Slack slash texts, button clicks
 * and modal submissions through the real Bolt receiver. Whatever arrives: no 5xx, no crash, an
 * answer in bounded time, and a refused request (4xx, or a refusal in words) changes nothing.
 *
 * The seed is fixed, so CI runs the same cases every time; FUZZ_SEED=<n> runs another set, and
 * FUZZ_SEED=random draws one (printed in the suite's title, and by fast-check on a failure).
 */
const SEED = process.env['FUZZ_SEED'] === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env['FUZZ_SEED'] ?? 20_260_318);
/** Cases per REST route (61 routes), and per kind of Slack request. */
const REST_RUNS_PER_ROUTE = 5;
const SLACK_RUNS = 80;
/** The slowest answer accepted (generous: a shared CI machine; the work per request is small). */
const MAX_MS = 2_000;

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__'];
/** Ids that exist in the demo account, so some requests get past the lookups. */
const DEMO_IDS = ['checkout', 'search-api', 'production', 'staging', 'dev', 'payments', 'search', 'general', 'oncall', 'admin', 'developer', 'qa', 'sre', 'release_manager', 'UADA', 'UDEV', 'UQUINN', 'UVERA', 'UCI'];

const proto = fc.constantFrom(...PROTOTYPE_NAMES);
const demoId = fc.constantFrom(...DEMO_IDS);
/** A long string of one character (cheap to make, up to `max`). */
const longString = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.constantFrom('a', 'é', '𝄞', ' ', '%', '"', '\u0000')).map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
/** Any string a client might send: short unicode (lone surrogates too), ids, prototype names, long ones. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 3, arbitrary: demoId },
  { weight: 3, arbitrary: proto },
  { weight: 1, arbitrary: longString(100, 5_000) },
);
/** A value of a JSON body field: strings as above, or any JSON at all. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, [], {}) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 5 }) },
);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** fast-check's report, with long runs of one character (or %-escape) written as `x×5000`: a counterexample stays readable. */
async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(property, { endOnFailure: true, ...params });
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const compact = (text: string) => text.replace(/(%[0-9A-F]{2}|[\s\S])\1{19,}/gu, (run, unit: string) => `${unit}×${run.length / unit.length}`);
    err.message = compact(err.message);
    throw err;
  }
}

// ---------------------------------------------------------------- REST

type Route = { method: string; path: string; body?: z.ZodType; query?: z.ZodObject };
const ROUTES: Route[] = [...OPERATIONS, { method: 'get', path: '/openapi.json' }, { method: 'get', path: '/config.schema.json' }];

/** The field names of an object schema (an empty list for anything else). */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** A path parameter: usually encoded, sometimes escapes that do not decode, dots or nothing. */
const pathParam = fc.oneof(
  { weight: 6, arbitrary: anyString.map((s) => encodeOrRaw(s)) },
  { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%', '%zz', '%00', '..', '.', '%2F', '%C0%AF', '') },
);

function encodeOrRaw(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate: sent as the client would
  }
}

interface RestCase {
  method: string;
  key: 'UADA' | 'UDEV' | 'UQUINN' | 'UCI' | 'none' | 'bad';
  params: string[];
  query: [string, string][];
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'none' };
  contentType: string | null;
}

function restCase(route: Route): fc.Arbitrary<RestCase> {
  const nParams = (route.path.match(/\{\w+\}/g) ?? []).length;
  const fields = fieldsOf(route.body);
  const queryKeys = fieldsOf(route.query);
  const bodyObject = fc.dictionary(fc.oneof(fc.constantFrom(...(fields.length ? fields : ['x'])), proto, fc.string({ maxLength: 8 })), anyValue, { maxKeys: Math.max(3, fields.length + 2) });
  return fc.record({
    method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('get', 'post', 'patch', 'delete', 'put') }),
    key: fc.constantFrom('UADA', 'UADA', 'UDEV', 'UQUINN', 'UCI', 'none', 'bad'),
    params: fc.array(pathParam, { minLength: nParams, maxLength: nParams }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(queryKeys.length ? queryKeys : ['x'])), proto), fc.oneof(anyString, fc.constantFrom('0', '-1', '301', '1e9', 'true'))), { maxLength: 4 }),
    body: fc.oneof(
      { weight: 5, arbitrary: bodyObject.map((value) => ({ kind: 'json' as const, value })) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: longString(30_000, 60_000).map((s) => ({ kind: 'json' as const, value: { name: s, version: s, reason: s } })) },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 50, unit: 'binary' }), fc.constantFrom('{', '{"a":', 'null', '[]', '"x"', '{"__proto__":{"admin":true}}', '\u0000')).map((text) => ({ kind: 'raw' as const, text })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    ),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/merge-patch+json') },
    ),
  });
}

describe(`fuzz (seed ${SEED}; FUZZ_SEED=${SEED} reproduces it)`, function () {
  this.timeout(120_000);

  describe('REST: every route of the OpenAPI document', () => {
    let ctx: Ctx;
    const logger = recordingLogger();
    before(async () => {
      ctx = await setup({ GATEHOUSE_RATE_LIMIT: '1000000' }, logger);
    });
    after(async () => {
      await ctx.close();
    });

    ROUTES.forEach((route, i) => {
      it(`${route.method.toUpperCase()} ${route.path}: no 5xx, an answer within ${MAX_MS} ms, a refusal changes nothing`, async () => {
        await check(
          fc.asyncProperty(restCase(route), async (c) => {
            let n = 0;
            const path = route.path.replace(/\{\w+\}/g, () => c.params[n++] ?? '');
            const qs = new URLSearchParams(c.query).toString();
            const headers: Record<string, string> = {};
            if (c.key === 'bad') headers['authorization'] = 'Bearer ghk_nope_0123456789abcdef0123456789abcdef';
            else if (c.key !== 'none') headers['authorization'] = `Bearer ${ctx.key(c.key)}`;
            if (c.contentType) headers['content-type'] = c.contentType;
            const canHaveBody = c.method !== 'get';
            const body = !canHaveBody || c.body.kind === 'none' ? undefined : c.body.kind === 'raw' ? c.body.text : JSON.stringify(c.body.value);
            const seq = ctx.account.seq;
            const started = performance.now();
            const res = await fetch(`${ctx.server.url}/api/v1${path}${qs ? `?${qs}` : ''}`, { method: c.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(10_000) });
            const text = await res.text();
            const ms = performance.now() - started;
            assert.ok(res.status < 500, `HTTP ${res.status}: ${text.slice(0, 300)}`);
            assert.ok(ms < MAX_MS, `answered in ${ms.toFixed(0)} ms`);
            if (res.status >= 400) {
              // Node's HTTP parser answers a URL or headers over 16 KB itself (431, no body); everything else is ours.
              if (res.status !== 431) ApiErrorSchema.parse(JSON.parse(text));
              assert.equal(ctx.account.seq, seq, `a refusal (${res.status}) changed nothing`);
            }
          }),
          { seed: SEED + i, numRuns: REST_RUNS_PER_ROUTE },
        );
      });
    });

    it('the server still answers and logged no internal error', async () => {
      assert.equal((await fetch(`${ctx.server.url}/healthz`)).status, 200);
      assert.deepEqual(
        logger.lines.filter((l) => l.level === 'error').map((l) => l.msg),
        [],
      );
    });
  });

  it('the slash-text tokenizer splits any text as the regex it replaced did', async () => {
    const text = fc.array(fc.oneof(fc.constantFrom('"', '“', '”', ' ', '\t', '\n', '<@U1|a>', '<#C1|b>', '<@', '>', '|', 'a', 'b c'), fc.string({ maxLength: 4, unit: 'binary' })), { maxLength: 30 }).map((parts) => parts.join(''));
    await check(
      fc.asyncProperty(text, (t) => {
        assert.deepEqual(tokenize(t), regexTokenize(t));
        return Promise.resolve();
      }),
      { seed: SEED + 5, numRuns: 300 },
    );
  });

  describe('Slack: signed requests through the Bolt receiver', () => {
    let ctx: SlackCtx;
    before(async () => {
      ctx = await setupSlack({ env: { LOG_LEVEL: 'warn' } });
    });
    after(async () => {
      await ctx.close();
    });

    const mention = fc.oneof(demoId.map((id) => `<@${id}|${id.toLowerCase()}>`), proto.map((p) => `<@${p}>`), fc.constantFrom('<#C0123456|ops>', '<#CAPPROVALS>', '<@>', '<@U1|', '<#>'));
    const word = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...Object.keys(SUBCOMMANDS)) },
      { weight: 3, arbitrary: fc.constantFrom('create', 'add', 'remove', 'delete', 'list', 'set', 'rename', 'to', 'for', 'because', 'override', 'production', 'on', 'off', 'none', 'channel', 'token', 'all', 'members', 'lock', 'unlock', 'archive', 'restore', 'default-role', 'default-team', 'group:oncall', 'group:constructor', '8h', '1d', '0m', '99999999999999w', '1d12h') },
      { weight: 3, arbitrary: demoId },
      { weight: 2, arbitrary: proto },
      { weight: 2, arbitrary: mention },
      { weight: 1, arbitrary: fc.constantFrom('"', '“', '”', '"QA Lead"', '“release manager”', '""') },
      { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
    );
    const slashText = fc.oneof(
      { weight: 8, arbitrary: fc.array(word, { maxLength: 12 }).map((w) => w.join(' ')) },
      { weight: 1, arbitrary: fc.array(word, { minLength: 200, maxLength: 800 }).map((w) => w.join(' ')) },
      { weight: 1, arbitrary: longString(MAX_COMMAND_TEXT - 50, MAX_COMMAND_TEXT + 50).map((s) => `holders ${s}`) },
    );
    const actor = fc.constantFrom('UVERA', 'UDEV', 'UQUINN', 'UADA');
    /** An interaction's answer: no 5xx, in time; then, once its work is done, nothing logged as an error. */
    async function acknowledged(r: { status: number; ms: number; text: string }): Promise<void> {
      assert.ok(r.status < 500, `HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      assert.ok(r.ms < MAX_MS, `acknowledged in ${r.ms.toFixed(0)} ms`);
      await sleep(5);
      await ctx.settle();
      ctx.assertClean();
    }

    /** What a refusal in words starts with: nothing may have changed then. */
    const REFUSAL = /^(:no_entry:|:mag:|:memo:|:warning:|:construction:)/;

    it('slash texts: acknowledged within bounds, answered (or a modal opened), a refusal changes nothing, nothing logged as an error', async () => {
      await check(
        fc.asyncProperty(actor, slashText, async (userId, text) => {
          const views = ctx.fake.views.size;
          const seq = ctx.account.seq;
          const r = await ctx.command(userId, text);
          assert.equal(r.status, 200, `acknowledged: HTTP ${r.status}`);
          assert.ok(r.ms < MAX_MS, `acknowledged in ${r.ms.toFixed(0)} ms`);
          const got = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0] ?? (ctx.fake.views.size > views ? {} : null), `an answer to ${JSON.stringify(text.slice(0, 80))}`, MAX_MS);
          await ctx.settle();
          const answer = textOf(got);
          if (REFUSAL.test(answer)) assert.equal(ctx.account.seq, seq, `a refusal changed nothing: ${answer.slice(0, 200)}`);
          ctx.assertClean();
        }),
        { seed: SEED, numRuns: SLACK_RUNS },
      );
    });

    it('button clicks with any action_id suffix and value: acknowledged, no error logged', async () => {
      // Known buttons, and ones this version has no listener for (an older message's).
      const prefix = fc.constantFrom(...Object.values(ACTION), 'mystery_button', 'version_approved', '');
      await check(
        fc.asyncProperty(actor, prefix, fc.oneof(anyString, fc.constantFrom('qa', 'security', 'operational', 'product')), anyString, async (userId, p, suffix, value) => {
          const responseUrl = ctx.fake.responseUrl();
          const payload = blockActionPayload({ teamId: TEAM, userId, userName: userId.toLowerCase(), channelId: APPROVALS, messageTs: '1700000000.000100', actionId: `${p}:${suffix.slice(0, 200)}`, blockId: 'b', value: value.slice(0, 2000), triggerId: ctx.fake.issueTrigger(), responseUrl });
          await acknowledged(await postSigned(ctx.endpoint, SECRET, interactionBody(payload)));
        }),
        { seed: SEED + 1, numRuns: SLACK_RUNS },
      );
    });

    it('modal submissions with any metadata and values: acknowledged, no error logged', async () => {
      const metadata = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 30, unit: 'binary' }),
        fc.record({ channel: fc.constant(APPROVALS), responseUrl: fc.constant(null), versionId: anyString, requestId: anyString, releaseId: anyString, type: fc.constantFrom('qa', 'nope'), roleId: fc.oneof(fc.constant(null), anyString), step: fc.constantFrom('channel', 'team', 'product', 'environment', 'rule', 'done', 'x'), environmentId: anyString, productId: fc.oneof(fc.constant(null), anyString), ts: fc.constant(null) }, { requiredKeys: [] }).map((m) => JSON.stringify(m)),
      );
      const values = fc.dictionary(fc.oneof(fc.constantFrom('reason', 'user', 'role', 'team', 'name', 'id', 'channel', 'checks', 'duration', 'permissions', 'scope', 'quorum:qa'), fc.string({ maxLength: 6 })), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }), { maxKeys: 5 });
      await check(
        fc.asyncProperty(actor, fc.constantFrom(...Object.values(VIEW), 'mystery_form', ''), metadata, values, async (userId, callbackId, privateMetadata, stateValues) => {
          const payload = viewSubmissionPayload({ teamId: TEAM, userId, userName: userId.toLowerCase(), view: { id: 'V_FUZZ', hash: 'h', callback_id: callbackId, private_metadata: privateMetadata }, values: stateValues as Record<string, Record<string, Record<string, unknown>>>, triggerId: ctx.fake.issueTrigger() });
          await acknowledged(await postSigned(ctx.endpoint, SECRET, interactionBody(payload)));
        }),
        { seed: SEED + 2, numRuns: SLACK_RUNS },
      );
    });

    it('a slash command of another name is acknowledged at once, and nothing is logged as an error', async () => {
      await check(
        fc.asyncProperty(fc.constantFrom('/other', '/gatehouse2', '/', ''), slashText, async (command, text) => {
          const seq = ctx.account.seq;
          const body = commandBody({ command, text, teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: 'CGENERAL', responseUrl: ctx.fake.responseUrl(), triggerId: ctx.fake.issueTrigger() });
          const r = await postSigned(ctx.endpoint, SECRET, body);
          assert.ok(r.status < 500, `HTTP ${r.status}`);
          assert.ok(r.ms < MAX_MS, `acknowledged in ${r.ms.toFixed(0)} ms`);
          assert.equal(ctx.account.seq, seq);
          ctx.assertClean();
        }),
        { seed: SEED + 4, numRuns: 10 },
      );
    });

    it('forged, stale, future-dated or oversized requests are refused (4xx) and change nothing', async () => {
      const broken = fc.constantFrom('forged', 'stale', 'future', 'oversized', 'tampered');
      await check(
        fc.asyncProperty(broken, slashText, async (how, text) => {
          const seq = ctx.account.seq;
          const responseUrl = ctx.fake.responseUrl();
          const big = how === 'oversized' ? `${text} ${'x'.repeat(2 * 1024 * 1024)}` : text;
          const body = commandBody({ command: ctx.config.SLACK_COMMAND, text: big, teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: 'CGENERAL', responseUrl, triggerId: ctx.fake.issueTrigger() });
          const now = Math.floor(Date.now() / 1000);
          const sign = how === 'forged' ? { signature: 'v0=00' } : how === 'stale' ? { timestamp: now - 600 } : how === 'future' ? { timestamp: now + 600 } : {};
          const sent = how === 'tampered' ? `${body}&text=${encodeURIComponent('keys create sneaky')}` : body;
          const r = how === 'tampered' ? await postSigned(ctx.endpoint, SECRET, sent, { timestamp: now, signature: signBody(SECRET, now, body) }) : await postSigned(ctx.endpoint, SECRET, sent, sign);
          assert.ok(r.status >= 400 && r.status < 500, `${how}: HTTP ${r.status}`);
          assert.ok(r.ms < MAX_MS, `${how}: refused in ${r.ms.toFixed(0)} ms`);
          await sleep(5);
          assert.equal(ctx.fake.responsesTo(responseUrl).length, 0, 'no answer');
          assert.equal(ctx.account.seq, seq, 'nothing written');
        }),
        { seed: SEED + 3, numRuns: 20 },
      );
    });
  });
});

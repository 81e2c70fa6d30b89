import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ApiErrorSchema } from '@gatehouse/core/contract';
import express from 'express';
import { apiErrors } from '../src/rest/api.js';
import type { Ctx } from './rest-harness.js';
import { setup } from './rest-harness.js';
import { recordingLogger } from './support/slack-harness.js';

/** Errors from below the API (express's router, the body parser) keep their 4xx status and the stable error body. */
describe('REST: client errors keep their status', () => {
  let ctx: Ctx;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(async () => {
    logger = recordingLogger();
    ctx = await setup({}, logger);
  });
  afterEach(async () => {
    await ctx.close();
  });

  /** A raw request to /api/v1; the answer must be the stable error body. */
  async function refused(path: string, init: RequestInit): Promise<{ status: number; code: string; message: string }> {
    const res = await fetch(`${ctx.server.url}/api/v1${path}`, init);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = ApiErrorSchema.parse(await res.json());
    return { status: res.status, code: body.error.code, message: body.error.message };
  }

  const auth = () => ({ authorization: `Bearer ${ctx.key('UADA')}` });

  it('a path whose %-escape does not decode (express URIError, status 400) → 400 validation_failed', async () => {
    const r = await refused('/versions/%E0%A4%A', { headers: auth() });
    assert.deepEqual([r.status, r.code], [400, 'validation_failed']);
    assert.match(r.message, /%-escape/);
  });

  it('Content-Type: application/json; charset=latin1 (the body parser refuses the charset, 415) → 415', async () => {
    const seq = ctx.account.seq;
    const r = await refused('/versions', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json; charset=latin1' }, body: JSON.stringify({ productId: 'checkout', version: '9.0.0' }) });
    assert.deepEqual([r.status, r.code], [415, 'unsupported_media_type']);
    assert.equal(ctx.account.seq, seq);
  });

  it('a Content-Encoding the body parser does not know → 415; a gzip body that is not gzip → 400', async () => {
    const unknown = await refused('/versions', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, body: '{}' });
    assert.deepEqual([unknown.status, unknown.code], [415, 'unsupported_media_type']);
    const torn = await refused('/versions', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' });
    assert.deepEqual([torn.status, torn.code], [400, 'validation_failed']);
  });

  it('none of these is logged as an internal error', async () => {
    await refused('/versions/%E0%A4%A', { headers: auth() });
    await refused('/versions', { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' });
    assert.deepEqual(logger.lines.filter((l) => l.level === 'error'), []);
  });
});

describe('REST: the error handler', () => {
  /** An app whose one route fails with `err`, answered by the API's error handler. */
  async function answerTo(err: unknown) {
    const logger = recordingLogger();
    const app = express();
    app.get('/boom', (_req, _res, next) => next(err));
    app.use(apiErrors({ bodyLimit: '64kb', logger }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
      return { status: res.status, body: ApiErrorSchema.parse(await res.json()), errors: logger.lines.filter((l) => l.level === 'error').length };
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('keeps any 4xx `status` or `statusCode`, with a code of the API', async () => {
    const teapot = await answerTo(Object.assign(new Error('short and stout'), { status: 418, expose: true }));
    assert.deepEqual([teapot.status, teapot.body.error.code, teapot.body.error.message, teapot.errors], [418, 'validation_failed', 'short and stout', 0]);
    const gone = await answerTo(Object.assign(new Error('x'), { statusCode: 404 }));
    assert.deepEqual([gone.status, gone.body.error.code, gone.errors], [404, 'not_found', 0]);
    const tooMany = await answerTo(Object.assign(new Error('x'), { status: 429 }));
    assert.deepEqual([tooMany.status, tooMany.body.error.code], [429, 'rate_limited']);
  });

  it('an error without a client status (none, 5xx, not a number) is internal, logged, its message not shown', async () => {
    for (const err of [new Error('secret detail'), Object.assign(new Error('secret detail'), { status: 503 }), Object.assign(new Error('secret detail'), { status: '400' }), 'a string']) {
      const r = await answerTo(err);
      assert.deepEqual([r.status, r.body.error.code, r.errors], [500, 'internal', 1]);
      assert.doesNotMatch(r.body.error.message, /secret/);
    }
  });
});

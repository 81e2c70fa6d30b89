import assert from 'node:assert/strict';
import { APPROVAL_TYPES, PERMISSIONS, configJsonSchema } from '@gatehouse/core';
import { buildOpenApi } from '../src/rest/openapi.js';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup } from './rest-harness.js';

type Json = Record<string, unknown>;

interface Gaps {
  /** Strings without maxLength (an enum or a constant needs none). */
  strings: string[];
  /** Arrays without maxItems. */
  arrays: string[];
}

/** Walks a JSON schema (zod's output, $refs into its $defs) and notes every string and array without a limit. */
function walk(s: unknown, path: string, root: Json, gaps: Gaps, seen = new Set<string>()): void {
  if (typeof s !== 'object' || s === null) return;
  const o = s as Json;
  if (typeof o['$ref'] === 'string') {
    const name = o['$ref'].split('/').pop() ?? '';
    if (seen.has(name)) return;
    const defs = (root['$defs'] ?? {}) as Json;
    return walk(defs[name], path, root, gaps, new Set([...seen, name]));
  }
  const types = Array.isArray(o['type']) ? (o['type'] as unknown[]) : [o['type']];
  if (types.includes('string') && o['maxLength'] === undefined && o['enum'] === undefined && o['const'] === undefined) gaps.strings.push(path);
  if (types.includes('array') && o['maxItems'] === undefined) gaps.arrays.push(path);
  for (const k of ['anyOf', 'oneOf', 'allOf']) for (const x of (o[k] ?? []) as unknown[]) walk(x, path, root, gaps, seen);
  for (const [k, v] of Object.entries((o['properties'] ?? {}) as Json)) walk(v, `${path}.${k}`, root, gaps, seen);
  if (typeof o['additionalProperties'] === 'object') walk(o['additionalProperties'], `${path}.*`, root, gaps, seen);
  if (o['propertyNames']) walk(o['propertyNames'], `${path}.<key>`, root, gaps, seen);
  if (o['items']) walk(o['items'], `${path}[]`, root, gaps, seen);
}

interface DocOperation {
  parameters?: { name: string; in: string; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json }> };
}

/** What a request may send, as the served OpenAPI document describes it: path and query parameters and JSON bodies. */
function documentGaps(): Gaps & { inputs: number } {
  const gaps: Gaps = { strings: [], arrays: [] };
  let inputs = 0;
  const doc = buildOpenApi('test') as { paths: Record<string, Record<string, DocOperation>> };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) {
        inputs++;
        walk(p.schema, `${where} ${p.in}.${p.name}`, p.schema, gaps);
      }
      const body = op.requestBody?.content['application/json']?.schema;
      if (body) {
        inputs++;
        walk(body, `${where} body`, body, gaps);
      }
    }
  }
  return { ...gaps, inputs };
}

describe('REST contract: every string a request sends has a documented length limit', () => {
  it('no string in a path, a query or a body without maxLength in the OpenAPI document (ids included)', () => {
    const { strings, inputs } = documentGaps();
    assert.ok(inputs > 50, `the walk saw the inputs (${inputs})`);
    assert.deepEqual(strings, []);
  });

  it('no array without maxItems', () => {
    assert.deepEqual(documentGaps().arrays, []);
  });

  it('the configuration document (the body of POST /config/plan and /config/apply) has maxLength on every string of its own schema', () => {
    const doc = configJsonSchema();
    const gaps: Gaps = { strings: [], arrays: [] };
    walk(doc, 'config', doc, gaps);
    assert.ok(JSON.stringify(doc).includes('"maxLength"'), 'the walk saw strings');
    assert.deepEqual(gaps.strings, []);
  });

  it('GET /keys documents ownerId (an id, or * for every key)', () => {
    const doc = buildOpenApi('test') as { paths: Record<string, Record<string, DocOperation>> };
    const ownerId = doc.paths['/keys']?.['get']?.parameters?.find((p) => p.name === 'ownerId');
    assert.ok(ownerId, 'documented');
    assert.equal(ownerId.in, 'query');
  });
});

describe('REST contract: an over-long value is refused before any work', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const long = 'a'.repeat(65);
  const refused = async (method: string, path: string, body: unknown, message: RegExp) => {
    const seq = ctx.account.seq;
    const res = await ctx.call(method, path, { key: ctx.key('UADA'), body });
    assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.json)}`);
    assert.equal(errorCode(res.json), 'validation_failed');
    assert.match((res.json as { error: { message: string } }).error.message, message);
    assert.equal(ctx.account.seq, seq, 'nothing written');
  };

  it('an id in a body, a query or a path: 400 saying the limit, once', async () => {
    await refused('POST', '/teams', { teamId: long, name: 'Long' }, /^teamId: an id is at most 64 characters$/);
    await refused('GET', `/grants?userId=${long}`, undefined, /^userId: an id is at most 64 characters$/);
    await refused('GET', `/versions/${long}`, undefined, /^id: an id is at most 64 characters$/);
    await refused('DELETE', `/groups/oncall/members/${long}`, undefined, /^userId: an id is at most 64 characters$/);
    await refused('POST', '/versions', { productId: 'checkout', version: '1.0.0', commit: 'f'.repeat(65) }, /^commit: a commit is at most 64 characters$/);
  });

  it('a list longer than it can usefully be: 400 saying the limit', async () => {
    const permissions = [...PERMISSIONS, PERMISSIONS[0]];
    await refused('POST', '/roles', { name: 'Everything twice', scope: 'global', permissions }, new RegExp(`^permissions: a role has at most the ${PERMISSIONS.length} permissions there are$`));
    const requirements = [...APPROVAL_TYPES, 'qa'].map((type) => ({ type, quorum: 1 }));
    await refused('POST', '/rules', { environmentId: 'dev', requirements }, new RegExp(`^requirements: a rule requires at most the ${APPROVAL_TYPES.length} approval types there are, each once$`));
    await refused('POST', '/groups', { name: 'Crowd', members: Array.from({ length: 5001 }, (_, i) => `U${i}`) }, /^members: a group is created with at most 5000 members; add the others to it afterwards$/);
  });

  it('GET /keys?ownerId= is validated: an over-long or repeated value is refused; an id or * still lists', async () => {
    await refused('GET', `/keys?ownerId=${long}`, undefined, /^ownerId: /);
    await refused('GET', '/keys?ownerId=UDEV&ownerId=UADA', undefined, /^ownerId: /);
    const list = async (q: string) => {
      const res = await ctx.call('GET', `/keys${q}`, { key: ctx.key('UADA') });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      return (res.json as { items: { ownerId: string }[] }).items.map((k) => k.ownerId);
    };
    assert.deepEqual([...new Set(await list('?ownerId=UDEV'))], ['UDEV']);
    assert.ok(new Set(await list('?ownerId=*')).size > 1, '* lists every owner');
    assert.deepEqual([...new Set(await list(''))], ['UADA'], 'default: the caller');
  });
});

import assert from 'node:assert/strict';
import { z } from 'zod';
import * as commands from '../src/commands.js';
import * as contract from '../src/contract.js';
import { ValidationError } from '../src/errors.js';
import { durationWords, limitMessage } from '../src/limits.js';
import * as schemas from '../src/schemas.js';

type Def = Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A value just past one limit of a schema (`check` as zod records it), or null for checks that are no size limit. */
function pastLimit(type: string, check: Record<string, unknown>): unknown {
  const n = Number(check['maximum'] ?? check['minimum'] ?? check['value']);
  switch (`${type}/${String(check['check'])}`) {
    case 'string/max_length':
      return 'x'.repeat(n + 1);
    case 'string/min_length':
      return 'x'.repeat(n - 1);
    case 'array/max_length':
      return Array.from({ length: n + 1 }, () => null);
    case 'array/min_length':
      return [];
    case 'number/less_than':
      return check['inclusive'] === false ? n : n + 1;
    case 'number/greater_than':
      return check['inclusive'] === false ? n : n - 1;
    default:
      return null;
  }
}

/** Every schema with a size, length or range limit reachable from `root`, with a value past each limit. */
function limited(root: z.ZodType, path: string, out: { path: string; schema: z.ZodType; value: unknown }[], seen: Set<unknown>): void {
  if (seen.has(root)) return;
  seen.add(root);
  const def = defOf(root);
  for (const c of def.checks ?? []) {
    const value = pastLimit(def.type, c._zod.def);
    if (value !== null) out.push({ path: `${path} (${String(c._zod.def['check'])})`, schema: root, value });
  }
  const children: [string, unknown][] = [];
  if (def.type === 'object') children.push(...Object.entries(def['shape'] as Record<string, unknown>));
  for (const k of ['innerType', 'element', 'in', 'out', 'valueType', 'keyType', 'left', 'right']) if (def[k]) children.push([k === 'element' ? '[]' : '', def[k]]);
  for (const [i, o] of ((def['options'] ?? []) as unknown[]).entries()) children.push([`|${i}`, o]);
  for (const [k, child] of children) if (child instanceof z.ZodType) limited(child, k ? `${path}.${k}` : path, out, seen);
}

describe('limits in words', () => {
  it('durations read as people say them', () => {
    assert.deepEqual(
      [30 * 86_400_000, 8 * 3_600_000, 36 * 3_600_000, 60_000, 90 * 60_000, 45_000].map(durationWords),
      ['30 days', '8 hours', '1 day 12 hours', '1 minute', '1 hour 30 minutes', '45 seconds'],
    );
  });

  it('every length, size and range limit of the commands, the stored records and the REST contract says the limit in words', () => {
    const found: { path: string; schema: z.ZodType; value: unknown }[] = [];
    const seen = new Set<unknown>();
    for (const [file, mod] of Object.entries({ commands, schemas, contract })) {
      for (const [name, s] of Object.entries(mod)) if (s instanceof z.ZodType) limited(s, `${file}.${name}`, found, seen);
    }
    assert.ok(found.length > 50, `${found.length} limits found`);
    const vague: string[] = [];
    for (const { path, schema, value } of found) {
      const r = schema.safeParse(value, { error: limitMessage });
      const issue = r.error?.issues.find((i) => i.code === 'too_big' || i.code === 'too_small');
      if (!issue) continue;
      // The bound in words (`at most 80 characters`, `at least one minute`, `must not be empty`, or what to give), not zod's `Too big: expected …`.
      if (!/\b(at (most|least)|must not be empty|(less|more) than)\b|^give an? /.test(issue.message) || /too (big|small)|expected/i.test(issue.message)) vague.push(`${path}: ${issue.message}`);
    }
    assert.deepEqual(vague, []);
  });

  it('the core parses with them: a ValidationError names the field and the limit', () => {
    const err = (() => {
      try {
        commands.parse(commands.DecideVersionInput, { versionId: 'v1', approvalType: 'qa', decision: 'reject', reason: 'x'.repeat(1001) });
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof ValidationError);
    assert.equal(err.message, 'reason: at most 1,000 characters');
  });
});

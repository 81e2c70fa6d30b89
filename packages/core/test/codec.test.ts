import assert from 'node:assert/strict';
import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import { deserializeRecord, serializeRecord } from '../src/store/codec.js';

// Records as keyv wraps them: { value, expires }.
const CASES: Record<string, unknown> = {
  'plain object': { value: { id: 'U1', name: 'Ada', n: 3, ok: true, none: null, list: [1, 'two', { three: 3 }] }, expires: undefined },
  'a string value starting with a colon': { value: { name: ':rocket: team', emoji: '::double' }, expires: undefined },
  'colon strings in arrays, first and later': { value: [':a', 'b', ':c'], expires: 5 },
  'a top-level colon string': { value: ':top', expires: undefined },
  'a key ending in a colon (harmless false alarm)': { value: { 'weird:': 'x', 'also:': ['y'] }, expires: undefined },
  'colons inside strings, not at the start': { value: { a: 'x:y', b: 'ends:', c: 'quote":inside' }, expires: undefined },
  'an escaped quote before a colon': { value: { a: 'say \\":hi', b: '":' }, expires: undefined },
  'unicode and empty strings': { value: { a: 'é ✓ \u2028', b: '', c: [''] }, expires: undefined },
};

describe('store record codec: keyv\'s format, faster', () => {
  for (const [name, record] of Object.entries(CASES)) {
    it(`${name}: the same bytes as keyv writes, and read back as keyv reads them`, () => {
      const ours = serializeRecord(record as never);
      const keyvs = defaultSerialize(record);
      assert.equal(ours, keyvs);
      assert.deepEqual(deserializeRecord(keyvs), defaultDeserialize(keyvs));
      assert.deepEqual(deserializeRecord(ours), JSON.parse(JSON.stringify(record)));
    });
  }

  it('reads records keyv wrote with an escaped colon string exactly as keyv does (no double colon left behind)', () => {
    const text = defaultSerialize({ value: { name: ':party:' }, expires: undefined });
    assert.match(text, /"::party:"/);
    assert.deepEqual(deserializeRecord(text), { value: { name: ':party:' } });
  });
});

import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiErrorCodeSchema, MeResponseSchema } from '../src/contract.js';
import { ERROR_CODES } from '../src/index.js';
import { importGraph } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('the REST contract entry (@gatehouse/core/contract)', () => {
  it('pulls in zod only — no storage, no node built-ins the editor bundle cannot use', () => {
    const { packages, files } = importGraph(join(here, '../src/contract.js'));
    assert.deepEqual([...packages].sort(), ['zod']);
    assert.ok(files.length >= 3, 'the walk followed relative imports');
  });
  it('its error codes include every core error code', () => {
    for (const c of ERROR_CODES) assert.ok(ApiErrorCodeSchema.safeParse(c).success, c);
    assert.ok(ApiErrorCodeSchema.safeParse('unauthenticated').success);
  });
  it('refuses a response that does not match', () => {
    assert.equal(MeResponseSchema.safeParse({ account: { id: 'T1' } }).success, false);
  });
});

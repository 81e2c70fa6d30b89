import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from '../../src/domains/audit/canonical.js';
import { hashEvent, sealEvent, verifyChain } from '../../src/domains/audit/chain.js';
import type { AuditEvent } from '../../src/events/schema.js';
import { GENESIS_HASH } from '../../src/state/empty.js';

/** The hash the first implementation (canonicalize package, object spreads) gave the pinned event below. */
const PINNED_HASH = 'd19b1fe67df028cd52c700b0cf4b0985ff72e786730c651615413aec6c978b4b';

/** What canonicalize writes, or the message it throws. */
function outcome(f: () => string | undefined): string {
  try {
    return `ok ${String(f())}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

/** Any UTF-16 code unit, lone surrogates included, and keys that sort differently as numbers or strings. */
const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** The edges of what JSON writes as it is: controls, the quote, the backslash, DEL, non-ASCII, surrogates. */
const edge = fc.constantFrom('a', ' ', '~', '"', '\\', '/', '\u0000', '\n', '\u001f', '\u007f', '\u0080', 'é', '\u2028', '\uD800', '\uDC00', '😀');
const text = fc.oneof(fc.string({ unit, maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ unit: edge, maxLength: 6 }), fc.constantFrom('1', '9', '10', '-1', '01', 'é', 'e\u0301', '𝄞', 'a\nb', '"\\', '__proto__'));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, 0.1 + 0.2));
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), number, text, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 6 }),
  object: fc.dictionary(text, fc.oneof(tie('json'), fc.constant(undefined)), { maxKeys: 6 }),
}));

/** The chain's hash as it was first defined: sha256(prev, newline, canonicalize(event without prev and hash)). */
function referenceHash(e: AuditEvent): string {
  const { prev, hash: _hash, ...rest } = e;
  return createHash('sha256').update(prev).update('\n').update(canonicalize(rest) ?? '').digest('hex');
}

describe('audit chain hashing', () => {
  it('canonical JSON is byte for byte what the canonicalize package writes (RFC 8785), and refuses what it refuses', () => {
    fc.assert(
      fc.property(json, (v) => {
        assert.equal(outcome(() => canonicalJson(v)), outcome(() => canonicalize(v)));
      }),
      { seed: 20_260_612, numRuns: 3000 },
    );
    for (const v of [NaN, Infinity, { a: [1, -Infinity] }, 'x\uD800', { '\uDC00': 1 }, { toJSON: () => ({ b: 2, a: 1 }) }, [undefined, () => 1]]) {
      assert.equal(outcome(() => canonicalJson(v)), outcome(() => canonicalize(v)), outcome(() => JSON.stringify(v)));
    }
  });

  it('an event hashes as before — the same sha256 over the same canonical text — so existing logs still verify', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string({ maxLength: 8 }), { maxLength: 25 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.option(fc.string()), (versionId, userIds, at, keyId) => {
        const e = sealEvent(
          { type: 'approval.reminded', data: { versionId, environmentId: 'production', n: 1, userIds, missing: ['QA'] } },
          { id: '7.0', seq: 7, actor: 'system', keyId, at, prev: GENESIS_HASH },
        );
        assert.equal(e.hash, referenceHash(e));
        assert.equal(hashEvent(e), e.hash);
      }),
      { seed: 20_260_612, numRuns: 300 },
    );
    // Pinned: a change to the canonical form would make every stored chain fail to verify.
    const pinned = sealEvent(
      { type: 'approval.reminded', data: { versionId: 'ver_1', environmentId: 'production', n: 2, userIds: ['UQA', 'UQB'], missing: ['QA approval (0 of 1)'] } },
      { id: '12.0', seq: 12, actor: 'system', keyId: null, at: Date.UTC(2026, 0, 1, 10), prev: GENESIS_HASH },
    );
    assert.equal(pinned.hash, referenceHash(pinned));
    assert.equal(pinned.hash, PINNED_HASH);
    assert.deepEqual(Object.keys(pinned), ['type', 'data', 'id', 'seq', 'actor', 'keyId', 'at', 'prev', 'hash']);
  });

  it('a chain sealed event after event verifies; a changed field breaks it at that event', () => {
    let prev = GENESIS_HASH;
    const events = [1, 2, 3].map((n) => {
      const e = sealEvent({ type: 'approval.reminded', data: { versionId: `ver_${String(n)}`, environmentId: 'production', n, userIds: ['UQA'], missing: [] } }, { id: `${String(n)}.0`, seq: n, actor: 'system', keyId: null, at: n, prev });
      prev = e.hash;
      return e;
    });
    assert.deepEqual(verifyChain(events), { ok: true, events: 3, lastHash: prev });
    const tampered = events.map((e, i) => (i === 1 && e.type === 'approval.reminded' ? { ...e, data: { ...e.data, userIds: ['UEVE'] } } : e));
    assert.deepEqual(verifyChain(tampered), { ok: false, events: 1, brokenAt: '2.0', reason: 'hash_mismatch' });
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScheduleIndex } from '../../src/domains/follow-up/schedule.js';

/** What the schedule must answer, computed the slow way: every key with its time, sorted by time then key. */
function expected(model: Map<string, number>, now: number, limit: number): string[] {
  return [...model]
    .sort(([ka, a], [kb, b]) => a - b || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .filter(([, at]) => at <= now)
    .slice(0, limit)
    .map(([k]) => k);
}

function assertAgrees(index: ScheduleIndex, model: Map<string, number>, now: number, limit: number): void {
  assert.equal(index.size, model.size);
  assert.deepEqual(index.due(now, limit), expected(model, now, limit));
  const first = expected(model, Infinity, 1)[0];
  assert.equal(index.next(), first === undefined ? null : model.get(first));
}

describe('follow-up schedule index', () => {
  it('answers what is due, earliest first, as a sorted list would — through inserts, moves and removals of thousands of keys, until it is empty', () => {
    // Few distinct times, so ties are ordered by key; up to 1,500 keys, so chunks split and merge.
    const op = fc.tuple(fc.integer({ min: 0, max: 1499 }), fc.option(fc.integer({ min: 0, max: 40 }), { freq: 4 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 4000 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 2000 }), (ops, now, limit) => {
        const index = new ScheduleIndex();
        const model = new Map<string, number>();
        ops.forEach(([k, at], i) => {
          const key = `v|${String(k).padStart(4, '0')}|production`;
          index.set(key, at);
          if (at === null) model.delete(key);
          else model.set(key, at);
          if (i % 250 === 0) assertAgrees(index, model, now, limit);
        });
        assertAgrees(index, model, now, limit);
        // Then empty it in another order: chunks shrink and merge.
        [...ops].reverse().forEach(([k], i) => {
          const key = `v|${String(k).padStart(4, '0')}|production`;
          index.set(key, null);
          model.delete(key);
          if (i % 250 === 0) assertAgrees(index, model, now, limit);
        });
        assertAgrees(index, model, now, limit);
      }),
      // No shrinking: on thousands of operations it would run for minutes; the seed replays a failure.
      { seed: 20_260_612, numRuns: 40, endOnFailure: true },
    );
  });

  it('as the scheduler uses it: 10,000 waiting, each tick moves the 100 due to a year later and removes some', () => {
    const index = new ScheduleIndex();
    const model = new Map<string, number>();
    const set = (key: string, at: number | null) => {
      index.set(key, at);
      if (at === null) model.delete(key);
      else model.set(key, at);
    };
    for (let i = 0; i < 10_000; i++) set(`v|ver_${String(i)}|production`, i);
    for (let tick = 1; tick <= 60; tick++) {
      const now = tick * 100 - 1;
      const due = index.due(now, 10_000);
      assert.deepEqual(due, expected(model, now, 10_000));
      assert.equal(due.length, 100);
      // Reminded: due again in a year; every seventh was approved meanwhile and leaves the schedule.
      due.forEach((key, i) => set(key, i % 7 === 0 ? null : 1e9 + tick * 100 + i));
      assertAgrees(index, model, now, 10_000);
    }
    for (const key of [...model.keys()]) set(key, null);
    assertAgrees(index, model, Infinity, 10);
    assert.equal(index.next(), null);
  });
});

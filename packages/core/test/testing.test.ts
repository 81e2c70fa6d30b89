import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/testing/index.js';
import { importGraph } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('the test support entry (@gatehouse/core/testing)', () => {
  it('imports no package: casbin stays a devDependency of whoever feeds it the model', () => {
    const { packages, files } = importGraph(join(here, '../src/testing/index.js'));
    assert.deepEqual([...packages], []);
    assert.ok(files.length >= 3, 'the walk followed the re-exports');
  });

  // The benchmark's workload and the oracle test's worlds are these sequences: pinned, so that a
  // change to Rng shows here rather than as other benchmark numbers or other worlds tested.
  it('Rng gives the same sequences for the same seed', () => {
    const r1 = new Rng(1);
    assert.deepEqual([r1.next(), r1.next(), r1.next()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const r = new Rng(7);
    assert.deepEqual([r.int(1, 6), r.int(1, 6), r.int(1, 6)], [1, 1, 6]);
    assert.deepEqual(r.sample(['a', 'b', 'c', 'd', 'e'], 3), ['d', 'c', 'b']);
    assert.deepEqual(r.shuffle([1, 2, 3, 4, 5]), [4, 5, 2, 1, 3]);
    assert.equal(r.weighted([['x', 1], ['y', 3]] as const), 'y');
    assert.equal(r.zipf(1000), 1);
  });
});

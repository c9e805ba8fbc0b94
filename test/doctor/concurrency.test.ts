import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimiter, mapLimit } from '../../lib/doctor/concurrency';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0; let peak = 0;
    const out = await mapLimit(Array.from({ length: 50 }, (_, i) => i), 4, async (n) => {
      running++; peak = Math.max(peak, running);
      await tick(n % 3); // uneven durations: results finish out of order
      running--;
      return n * 2;
    });
    assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i * 2));
    assert.equal(peak, 4);
  });

  it('limit 1 is sequential; more workers than items is fine; empty input gives []', async () => {
    const seen: number[] = [];
    await mapLimit([1, 2, 3], 1, async (n) => { seen.push(n); await tick(); seen.push(-n); });
    assert.deepEqual(seen, [1, -1, 2, -2, 3, -3]);
    assert.deepEqual(await mapLimit([7], 16, async (n) => n), [7]);
    assert.deepEqual(await mapLimit([], 3, async () => 1), []);
  });

  it('rejects with the first error and starts no further items', async () => {
    const started: number[] = [];
    await assert.rejects(mapLimit([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('boom 1');
      return n;
    }), /boom 1/);
    assert.ok(!started.includes(4) && !started.includes(5), `started ${started.join(',')}`);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await assert.rejects(mapLimit([1], 0, async (n) => n), RangeError);
    await assert.rejects(mapLimit([1], 1.5, async (n) => n), RangeError);
  });
});

describe('createLimiter', () => {
  it('bounds concurrent calls across independent callers and releases slots after errors', async () => {
    const limit = createLimiter(3);
    let running = 0; let peak = 0;
    const job = (fail: boolean) => limit(async () => {
      running++; peak = Math.max(peak, running);
      await tick(2);
      running--;
      if (fail) throw new Error('x');
      return 1;
    });
    const all = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => job(i % 4 === 0)));
    assert.equal(peak, 3);
    assert.equal(all.filter((r) => r.status === 'rejected').length, 5);
    assert.equal(limit.active, 0);
    assert.equal(limit.waiting, 0);
  });

  it('a synchronous throw inside the function is a rejection and frees the slot', async () => {
    const limit = createLimiter(1);
    await assert.rejects(limit(() => { throw new Error('sync'); }), /sync/);
    assert.equal(await limit(async () => 'next'), 'next');
  });
});

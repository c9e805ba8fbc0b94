/**
 * Bounded concurrency without a dependency. Two tools:
 * - `createLimiter(n)`: at most n of the wrapped async calls run at once, across every caller sharing the limiter.
 *   The doctor wraps each AWS client's `send` with one shared limiter, so `doctor.concurrency` bounds the AWS calls
 *   in flight for the whole run, however many checks fan out at the same time.
 * - `mapLimit(items, n, fn)`: maps with at most n items in progress, results in input order. Used for fan-outs over
 *   users, regions or accounts so that 1000 accounts do not become 1000 pending promises at once.
 */

export interface Limiter {
  <T>(fn: () => Promise<T>): Promise<T>;
  /** Calls running now (for tests). */
  readonly active: number;
  /** Calls waiting for a slot (for tests). */
  readonly waiting: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) next();
  };
  const run = <T>(fn: () => Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    const start = () => {
      active++;
      // Promise.resolve().then: a synchronous throw in fn becomes a rejection and still releases the slot.
      Promise.resolve().then(fn).then(resolve, reject).finally(release);
    };
    if (active < limit) start();
    else queue.push(start);
  });
  return Object.defineProperties(run, {
    active: { get: () => active },
    waiting: { get: () => queue.length },
  }) as Limiter;
}

/**
 * Maps `items` through `fn` with at most `limit` calls in progress; resolves to the results in input order.
 * On the first rejection no further items are started and the returned promise rejects with that error
 * (calls already running are left to finish; their results are dropped).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

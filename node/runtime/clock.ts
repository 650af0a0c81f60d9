// The wall clock LiveLab paces against (core/ has none of its own).
import type { WallClock } from '../../core/runtime/live.js';

export const systemClock: WallClock = {
  now: () => performance.now(),
  after: (ms, fn) => {
    if (ms <= 0) {
      const h = setImmediate(fn);
      return () => clearImmediate(h);
    }
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
};

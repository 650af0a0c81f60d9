// The engine's heap (core/sim/engine.ts) against a reference: events run in
// (time, insertion) order whatever the mix of ties, events scheduled while
// running, and growth of the tables mid-run.
import { describe, it, expect } from 'vitest';
import { Engine } from '../../core/sim/engine.js';
import { Prng } from '../../core/sim/prng.js';

describe('Engine heap', () => {
  it('matches a stable sort by time, with events added while running and tables growing', () => {
    const e = new Engine();
    const p = new Prng(11);
    const ran: number[] = [];
    const expected: { t: number; id: number }[] = [];
    let id = 0;
    const add = (t: number) => {
      const me = id++;
      expected.push({ t: Math.max(t, e.now), id: me });
      e.at(t, (x: number) => {
        ran.push(x);
        // some events schedule more, often at the same time (ties)
        if (p.below(4) === 0) for (let k = p.below(3); k >= 0; k--) add(e.now + p.below(3) * 100);
      }, me);
    };
    for (let i = 0; i < 3000; i++) add(p.below(50) * 100);
    e.runUntil(Infinity);
    // Reference order: by time, then by the order of scheduling.
    const order = [...expected].sort((a, b) => a.t - b.t || a.id - b.id).map((x) => x.id);
    expect(ran).toEqual(order);
    expect(e.pending).toBe(0);
    expect(e.executed).toBe(expected.length);
  });

  it('runUntil stops before until (or at it when inclusive) and step runs one', () => {
    const e = new Engine();
    const seen: number[] = [];
    for (const t of [5, 1, 3, 3, 9]) e.at(t, (x: number) => seen.push(x), t);
    expect(e.runUntil(3)).toBe(1);
    expect(e.runUntil(3, true)).toBe(2);
    expect(e.nextTime()).toBe(5);
    expect(e.step()).toBe(true);
    expect(seen).toEqual([1, 3, 3, 5]);
    expect(e.now).toBe(5);
    e.runUntil(Infinity);
    expect(e.step()).toBe(false);
  });
});

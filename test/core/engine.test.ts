import { describe, it, expect } from 'vitest';
import { Engine } from '../../core/sim/engine.js';
import { Timer } from '../../core/sim/timer.js';
import { Prng } from '../../core/sim/prng.js';

describe('Engine', () => {
  it('runs events in (time, insertion) order and advances virtual time', () => {
    const e = new Engine();
    const seen: string[] = [];
    e.at(30, () => seen.push('c'));
    e.at(10, () => seen.push('a1'));
    e.at(10, () => seen.push('a2'));
    e.at(20, () => {
      seen.push('b');
      e.at(20, () => seen.push('b-same-time'));
    });
    e.runUntil(25);
    expect(seen).toEqual(['a1', 'a2', 'b', 'b-same-time']);
    expect(e.now).toBe(25);
    e.runUntil(Infinity);
    expect(seen.at(-1)).toBe('c');
    expect(e.now).toBe(30);
  });

  it('keeps heap order under many random insertions', () => {
    const e = new Engine();
    const p = new Prng(7);
    const times: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = p.below(1_000_000);
      e.at(t, () => times.push(e.now));
    }
    e.runUntil(Infinity);
    expect(times.length).toBe(5000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });
});

describe('Timer (timer_list)', () => {
  it('re-arming replaces the expiry and del cancels', () => {
    const e = new Engine();
    let fired: number[] = [];
    const t = new Timer(e, () => fired.push(e.now));
    t.mod(100);
    t.mod(50);
    e.runUntil(Infinity);
    expect(fired).toEqual([50]);
    fired = [];
    t.mod(200);
    expect(t.del()).toBe(true);
    expect(t.del()).toBe(false);
    e.runUntil(Infinity);
    expect(fired).toEqual([]);
  });
});

describe('Prng', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 10 }, () => a.u32());
    expect(sa).toEqual(Array.from({ length: 10 }, () => b.u32()));
    expect(sa).not.toEqual(Array.from({ length: 10 }, () => c.u32()));
    const buckets = new Array(10).fill(0);
    const p = new Prng(1);
    for (let i = 0; i < 100_000; i++) buckets[p.below(10)]++;
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(600);
  });
});

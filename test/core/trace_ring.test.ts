// The tracer's ring (core/net/core/trace.ts): records kept as numbers and
// formatted when read must read back exactly as the eager records did, in
// order, with the oldest dropped and counted past TRACE_LIMIT, and a
// consumer may empty the array it was given.
import { describe, it, expect } from 'vitest';
import { Tracer, TRACE_LIMIT, type TraceFmt } from '../../core/net/core/trace.js';
import { Engine } from '../../core/sim/engine.js';
import { Prng } from '../../core/sim/prng.js';
import { Net } from '../../core/net/net_namespace.js';
import { skb_pool_size, alloc_skb, consume_skb } from '../../core/net/core/skbuff.js';

const all: TraceFmt = (a, b, c, d, e, f, g, h) => [a, b, c, d, e, f, g, h].map(String).join('|');

function tracer(): { t: Tracer; net: Net } {
  const net = new Net('h1', new Engine(), new Prng(1), 1);
  return { t: net.tracer, net };
}

describe('Tracer ring', () => {
  it('formats details from numbers and strings when read, and tells listeners at once', () => {
    const { t } = tracer();
    t.on = true;
    const heard: string[] = [];
    t.listeners.push((r) => heard.push(`${r.fn} ${r.info ?? ''}`));
    t.fnf(null, 'a', all, 1, 'two', 3.5, undefined, 'five', 6, 7, 'eight');
    t.fnf(null, 'b', all, 's1', 's2', 's3', 's4', 5); // more strings than slots: kept as text
    t.fn(null, 'c', 'plain');
    t.fn(null, 'd');
    expect(t.records.map((r) => `${r.fn} ${r.info ?? ''}`)).toEqual([
      'a 1|two|3.5|undefined|five|6|7|eight',
      'b s1|s2|s3|s4|5|undefined|undefined|undefined',
      'c plain',
      'd ',
    ]);
    expect(heard).toEqual(t.records.map((r) => `${r.fn} ${r.info ?? ''}`));
    expect(t.records[0]).toMatchObject({ t: 0, host: 'h1', cpu: -1, skb: 0 });
  });

  it('records nothing when off, except warnings', () => {
    const { t } = tracer();
    t.fnf(null, 'a', all, 1);
    t.fn(null, 'b');
    t.warn(null, 'w', 'careful');
    expect(t.records.map((r) => r.fn)).toEqual(['w']);
    expect(t.active).toBe(false);
    t.on = true;
    expect(t.active).toBe(true);
  });

  it('drops the oldest past the limit and counts them; a consumer may empty the array', () => {
    const { t } = tracer();
    expect(t.limit).toBe(TRACE_LIMIT);
    const LIMIT = 5000;
    t.limit = LIMIT;
    t.on = true;
    const fmt: TraceFmt = (i) => `#${i}`;
    t.fn(null, 'first');
    const taken = t.records;
    expect(taken.length).toBe(1);
    taken.length = 0; // as a host process does once it has sent them
    expect(t.records.length).toBe(0);
    for (let i = 0; i < 100; i++) t.fnf(null, 'n', fmt, i);
    expect(t.records.length).toBe(100); // read while filling: materialised in steps
    for (let i = 100; i < LIMIT + 10; i++) t.fnf(null, 'n', fmt, i);
    const r = t.records;
    expect(r.length).toBe(LIMIT);
    expect(t.lost).toBe(10);
    expect(t.total).toBe(LIMIT + 11);
    expect(r[0].info).toBe('#10');
    expect(r[r.length - 1].info).toBe(`#${LIMIT + 9}`);
    expect(r.map((x) => x.info)).toEqual(Array.from({ length: LIMIT }, (_, i) => `#${i + 10}`));
    // wrapped: a clear, then more, then read again
    r.length = 0;
    expect(t.records.length).toBe(0);
    for (let i = 0; i < 7; i++) t.fn(null, `m${i}`);
    expect(t.records.map((x) => x.fn)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('reads back the same once the values seen are too many to keep ids for', () => {
    const { t } = tracer();
    t.on = true;
    const pair: TraceFmt = (a, b) => `${a}|${b}`;
    // Ever-changing texts and arguments: past the intern table's room, the
    // records keep their text (and new names) in their chunk instead.
    for (let i = 0; i < 20000; i++) t.fnf(null, 'n', pair, `dev${i}`, i);
    t.fnf(null, 'late name', pair, 'a new string', 5);
    t.fn(null, 'another new name', 'new info');
    t.fnf(null, 'n', pair, 'eth0', 7);
    const r = t.records;
    expect(r.length).toBe(20003);
    expect(r[19999]).toMatchObject({ fn: 'n', info: 'dev19999|19999' });
    expect(r.slice(20000).map((x) => `${x.fn} ${x.info}`)).toEqual(['late name a new string|5', 'another new name new info', 'n eth0|7']);
    expect(r.every((x, i) => i >= 20000 || x.info === `dev${i}|${i}`)).toBe(true);
  });

  it('skb buffers go back to the pool zeroed, and outstanding still counts every skb', () => {
    const { net } = tracer();
    const before = skb_pool_size();
    const a = alloc_skb(net, 100, 64);
    a.buf.fill(0xab);
    expect(net.outstanding).toBe(1);
    consume_skb(a, 'test');
    expect(net.outstanding).toBe(0);
    expect(skb_pool_size()).toBe(before + 1);
    const b = alloc_skb(net, 100, 64);
    expect(b.buf.length).toBe(164);
    expect(b.buf.every((x) => x === 0)).toBe(true);
    expect(() => consume_skb(a, 'again')).toThrow(/double free/);
    consume_skb(b, 'test');
  });
});

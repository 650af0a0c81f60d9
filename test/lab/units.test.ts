import { describe, expect, test } from 'vitest';
import { formatDuration, formatRate, parseDuration, parseLoss, parseRate } from '../../core/lab/units.js';

describe('units as tc reads them', () => {
  test('durations', () => {
    expect(['500ns', '10us', '2ms', '1s', '1.5ms', '3usec', '2MSEC', '0', 0].map(parseDuration)).toEqual([500, 10_000, 2e6, 1e9, 1.5e6, 3000, 2e6, 0, 0]);
    expect(() => parseDuration('5')).toThrow("delay '5' needs a unit (ns, us, ms, s)");
    expect(() => parseDuration(-1)).toThrow("bad delay '-1'");
    expect(() => parseDuration('2m')).toThrow("bad delay '2m': unknown unit 'm'");
  });

  test('rates', () => {
    expect(['1gbit', '100mbit', '10kbit', '1000bit', '1000', 1000, '10mbps', '1kibit', '1Mbit', '2.5gbit'].map(parseRate)).toEqual([
      1e9, 1e8, 1e4, 1000, 1000, 1000, 8e7, 1024, 1e6, 2.5e9,
    ]);
    expect(() => parseRate('0')).toThrow("rate '0' must be more than 0");
    expect(() => parseRate('fast')).toThrow("bad rate 'fast'");
  });

  test('loss', () => {
    expect(['1%', '0.5', 0.5, '100%', 0].map(parseLoss)).toEqual([1, 0.5, 0.5, 100, 0]);
    expect(() => parseLoss('101')).toThrow("bad loss '101' (a percentage from 0 to 100)");
    expect(() => parseLoss(-1)).toThrow();
  });

  test('formatting round-trips', () => {
    for (const s of ['2ms', '10us', '1s', '500ns']) expect(formatDuration(parseDuration(s))).toBe(s);
    for (const s of ['1gbit', '100mbit', '10kbit', '1500bit']) expect(formatRate(parseRate(s))).toBe(s);
    expect(formatDuration(1_500_000)).toBe('1500us');
  });
});

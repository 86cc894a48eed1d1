import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';

describe('parseDuration', () => {
  it('reads the units people write in configuration', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration(' 3s ')).toBe(3_000);
  });

  it('rejects anything else: no unit, unknown unit, zero, negative, words', () => {
    for (const bad of ['', '30', 's', '-5s', '0s', '5 s', '5sec', '1w', 'soon', '1e3s', '5S']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it('round-trips through formatDuration for whole durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_234)).toBe('1234ms');
  });
});

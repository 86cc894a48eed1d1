import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeJson, safeText, textProblem, textProblems } from '../../src/domain/text.js';

describe('textProblem', () => {
  it('accepts ordinary text, accents, emoji (a surrogate pair) and, when multiline, tabs and line breaks', () => {
    expect(textProblem('Zoë’s café, 12 Rue de l’Été 🚲')).toBeNull();
    expect(textProblem('line one\nline two\ttab', { multiline: true })).toBeNull();
  });

  it('names what it refuses: NUL, other control characters, line breaks on one line, unpaired surrogates', () => {
    expect(textProblem('a\u0000b')).toBe('must not contain a NUL character (U+0000)');
    expect(textProblem('a\u0007b')).toBe('must not contain control characters (found U+0007)');
    expect(textProblem('a\u009bb', { multiline: true })).toBe('must not contain control characters (found U+009B)');
    expect(textProblem('a\nb')).toBe('must not contain control characters (found U+000A)');
    expect(textProblem('\ud800x')).toBe('must be valid Unicode (found an unpaired surrogate, U+D800)');
    expect(textProblem('x\udfff')).toBe('must be valid Unicode (found an unpaired surrogate, U+DFFF)');
  });
});

describe('textProblems', () => {
  it('finds every bad string in a body, with its dotted path, and bad field names', () => {
    const body = {
      email: 'a@example.com',
      shippingAddress: { line1: 'x\u0000', city: 'ok' },
      lines: [{ productId: 'p' }, { productId: '\ud800' }],
      description: 'multi\nline',
      ['bad\u0001key']: 1,
      count: 3,
    };
    expect(textProblems(body, new Set(['description']))).toEqual([
      { field: 'shippingAddress.line1', message: expect.stringContaining('NUL') },
      { field: 'lines.1.productId', message: expect.stringContaining('unpaired surrogate') },
      { field: 'bad\u0001key', message: expect.stringMatching(/^name must not contain control/) },
    ]);
  });
});

describe('safeText and safeJson', () => {
  it('replace what PostgreSQL cannot store with U+FFFD and keep everything else', () => {
    expect(safeText('Flat\u00002 \ud800 🚲\n')).toBe('Flat\uFFFD2 \uFFFD 🚲\n');
    const when = new Date(0);
    expect(safeJson({ a: ['x\u0000'], n: 1, when, nil: null })).toEqual({ a: ['x\uFFFD'], n: 1, when, nil: null });
  });

  it('always give text that passes the multiline check, whatever went in', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(textProblem(safeText(s), { multiline: true })).toBeNull();
      }),
    );
  });
});

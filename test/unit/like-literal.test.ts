import { describe, expect, it } from 'vitest';
import { likeLiteral } from '../../src/db/like-literal.js';

describe('likeLiteral', () => {
  it('escapes %, _ and \\ so a LIKE pattern matches the text itself', () => {
    expect(likeLiteral('a_b@example.com')).toBe('a\\_b@example.com');
    expect(likeLiteral('100%')).toBe('100\\%');
    expect(likeLiteral('O\\')).toBe('O\\\\');
    expect(likeLiteral('APP-000378')).toBe('APP-000378');
  });
});

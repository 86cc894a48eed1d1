import { describe, expect, it } from 'vitest';
import { statusForCode } from '../../src/api/plugins/errors.js';
import { ErrorCode } from '../../src/domain/errors.js';

describe('error codes', () => {
  it('are unique, snake_case wire values', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const code of values) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('map to the HTTP statuses the API promises', () => {
    expect(statusForCode(ErrorCode.ValidationFailed)).toBe(400);
    expect(statusForCode(ErrorCode.Unauthorized)).toBe(401);
    expect(statusForCode(ErrorCode.Forbidden)).toBe(403);
    expect(statusForCode(ErrorCode.ProductNotFound)).toBe(404);
    expect(statusForCode(ErrorCode.SkuAlreadyExists)).toBe(409);
    expect(statusForCode(ErrorCode.VendorNotFound)).toBe(422);
    expect(statusForCode(ErrorCode.ServiceUnavailable)).toBe(503);
    for (const code of Object.values(ErrorCode)) expect(statusForCode(code)).toBeGreaterThanOrEqual(400);
  });
});

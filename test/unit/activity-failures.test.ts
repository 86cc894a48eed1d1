import { describe, expect, it } from 'vitest';
import { permanentDatabaseError } from '../../src/activities/failures.js';

const adapterError = (originalCode: string, kind = 'postgres') => ({
  name: 'DriverAdapterError',
  message: 'refused',
  cause: { kind, originalCode, originalMessage: 'refused' },
});

describe('database errors a retry cannot cure', () => {
  it('are the data or statement classes, not a unique key another attempt took first', () => {
    expect(permanentDatabaseError(adapterError('23514'))).toMatchObject({ sqlState: '23514' });
    expect(permanentDatabaseError(adapterError('22P05'))).toMatchObject({ sqlState: '22P05' });
    expect(permanentDatabaseError(adapterError('23505'))).toBeUndefined();
    expect(
      permanentDatabaseError({ name: 'PrismaClientKnownRequestError', code: 'P2002', message: 'x' }),
    ).toBeUndefined();
    expect(permanentDatabaseError(adapterError('40001'))).toBeUndefined();
  });
});

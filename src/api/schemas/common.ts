import { Type } from 'typebox';

/** The body of every error response. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. product_not_found' }),
      message: Type.String({ description: 'Readable explanation' }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { title: 'Error' },
);

/** Error responses a route may give, for its OpenAPI entry. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const adminSecurity = [{ adminToken: [] as string[] }];

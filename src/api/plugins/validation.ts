/**
 * How requests are validated against their schemas. Two Ajv instances: the query string and path
 * parameters arrive as text, so "5" is read as the number 5 there; a JSON body carries its own types,
 * so `false` is never the string "false" and `null` never the number 0.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import fastUri from 'fast-uri';

const shared: Options = {
  // Unknown fields are an error (400), not silently dropped.
  removeAdditional: false,
  useDefaults: true,
  // Every problem in one answer: a form can mark all its bad fields at once.
  allErrors: true,
  uriResolver: fastUri,
  addUsedSchema: false,
};

const fromText = addFormats.default(new Ajv({ ...shared, coerceTypes: 'array' }));
const fromJson = addFormats.default(new Ajv({ ...shared, coerceTypes: false }));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? fromJson : fromText).compile(schema);

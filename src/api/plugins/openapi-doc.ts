/**
 * What the OpenAPI document says beyond each route's own schema, so a client (or a fuzzer) reads
 * the API as it behaves: the answers any route may give (400, 414, 431, 503; 413 and 415 where a
 * body is read; 429 where a rate limit counts), the text rule every field shares (no control
 * characters: see src/domain/text.ts), and bodies that may be left out.
 */
import type { FastifySchema, RouteOptions } from 'fastify';
import { ErrorResponse } from '../schemas/common.js';
import { limitGroup } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route also takes a request with no body at all (documented as an optional body). */
    bodyOptional?: boolean;
  }
}

/** No control characters (C0, DEL, C1): what the text guard refuses in every field. */
const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
/** The same, tabs and line breaks allowed (descriptions). */
const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';
const MULTILINE_FIELDS = new Set(['description']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Carried from a route's schema to its operation (swagger copies `x-` keys), then removed. */
const BODY_OPTIONAL = 'x-body-optional';

type Json = Record<string, unknown>;

/**
 * A copy of a request schema with the text rule on each free-text string and property name; the
 * top-level properties named in `free` keep their schema as it is.
 */
function withTextRule(schema: unknown, key = '', free: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withTextRule(s));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === 'properties' && v && typeof v === 'object')
      out[k] = Object.fromEntries(
        Object.entries(v as Json).map(([name, s]) => [name, free.has(name) ? s : withTextRule(s, name)]),
      );
    else if (k === 'patternProperties' && v && typeof v === 'object')
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([re, s]) => [re, withTextRule(s)]));
    else if (['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not'].includes(k)) out[k] = withTextRule(v);
    else out[k] = v;
  }
  const types = [out.type].flat();
  const unconstrained = out.pattern === undefined && out.enum === undefined && out.const === undefined;
  if (types.includes('string') && unconstrained && out.format !== 'binary')
    out.pattern = MULTILINE_FIELDS.has(key) ? MULTI_LINE : SINGLE_LINE;
  if (types.includes('object') && out.additionalProperties !== false && out.propertyNames === undefined)
    out.propertyNames = { pattern: SINGLE_LINE };
  return out;
}

/** A field with a default may be left out (validation fills it in), whatever `required` says. */
function withDefaultsOptional(schema: unknown): unknown {
  const object = schema as { required?: string[]; properties?: Record<string, { default?: unknown }> };
  if (!object?.required || !object.properties) return schema;
  const required = object.required.filter((name) => object.properties![name]?.default === undefined);
  return { ...object, required: required.length > 0 ? required : undefined };
}

/** For @fastify/swagger's `transform`: one route's schema, as documented. */
export function documentRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const doc = JSON.parse(JSON.stringify(schema)) as FastifySchema & Json;
  // Fields checked item by item (an import's rows) take any text: a bad item fails on its own.
  const perItem = new Set(route.config?.textCheckedPerItem ?? []);
  // Headers are not text the guard reads (and a token's own rules apply): they keep their schema.
  for (const part of ['body', 'querystring', 'params'] as const)
    if (doc[part]) doc[part] = withDefaultsOptional(withTextRule(doc[part], '', part === 'body' ? perItem : undefined));
  const methods = [route.method].flat();
  const readsBody = doc.body !== undefined && methods.some((m) => WITH_BODY.has(m));
  const limited = methods.some((m) => limitGroup(m, url) !== undefined);
  const always = [400, 414, 431, 503, ...(readsBody ? [413, 415] : []), ...(limited ? [429] : [])];
  if (route.config?.bodyOptional) doc[BODY_OPTIONAL] = true;
  doc.response = {
    ...Object.fromEntries(always.map((status) => [status, ErrorResponse])),
    ...(doc.response as Json | undefined),
  };
  return { schema: doc, url };
}

/**
 * For @fastify/swagger's `transformObject`: a route with `config.bodyOptional` takes no body at all
 * (`curl -X POST .../carts` makes a cart), which the generator otherwise marks required.
 */
export function documentOptionalBodies<T extends object>(document: T): T {
  const paths = (document as { paths?: Json }).paths ?? {};
  for (const operations of Object.values(paths) as Json[])
    for (const operation of Object.values(operations) as Json[]) {
      if (!operation?.[BODY_OPTIONAL]) continue;
      delete operation[BODY_OPTIONAL];
      const body = operation.requestBody as { required?: boolean } | undefined;
      if (body) body.required = false;
    }
  return document;
}

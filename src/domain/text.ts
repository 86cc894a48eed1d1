/**
 * Text that can be stored and shown as given. PostgreSQL refuses a NUL character in text and
 * jsonb, and an unpaired UTF-16 surrogate in jsonb (it is not Unicode at all); other control
 * characters break what shows the text (logs, CSV exports, e-mail headers, the Web UI). So text
 * from outside is refused at the door, and what is stored for reading is made safe.
 */

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAKS_AND_TABS = /[\t\n\r]/;

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** Where in a string its first unpaired surrogate is, or -1. */
function unpairedSurrogate(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/**
 * Why this text cannot be accepted as given, or null when it can. `multiline` text (a product
 * description) may hold tabs and line breaks; nothing else may hold any control character.
 */
export function textProblem(value: string, { multiline = false }: { multiline?: boolean } = {}): string | null {
  if (value.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  const control = CONTROL.exec(value) ?? (multiline ? null : LINE_BREAKS_AND_TABS.exec(value));
  if (control) return `must not contain control characters (found ${hex(control[0].charCodeAt(0))})`;
  const at = unpairedSurrogate(value);
  if (at >= 0) return `must be valid Unicode (found an unpaired surrogate, ${hex(value.charCodeAt(at))})`;
  return null;
}

/** A record of fields (a parsed JSON object, a query string's), not a Date, a Buffer or an array. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  Object.prototype.toString.call(value) === '[object Object]';

export interface TextProblem {
  /** Dotted path of the field, e.g. `shippingAddress.line1` or `rows.3.sku`. */
  field: string;
  message: string;
}

/**
 * Every string in a JSON-like value (objects, arrays, strings) that cannot be accepted, with its
 * path. Fields named in `multilineFields` (by their last path segment) may hold line breaks.
 */
export function textProblems(
  value: unknown,
  multilineFields: ReadonlySet<string> = new Set(),
  path: string[] = [],
): TextProblem[] {
  if (typeof value === 'string') {
    const message = textProblem(value, { multiline: multilineFields.has(path.at(-1) ?? '') });
    return message ? [{ field: path.join('.'), message }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => textProblems(v, multilineFields, [...path, String(i)]));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, v]) => {
      const keyProblem = textProblem(key);
      const here = keyProblem ? [{ field: [...path, key].join('.'), message: `name ${keyProblem}` }] : [];
      return [...here, ...textProblems(v, multilineFields, [...path, key])];
    });
  }
  return [];
}

/** The text with NUL, other control characters (tabs and line breaks kept) and unpaired surrogates replaced by U+FFFD. */
export function safeText(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
      } else out += '\uFFFD';
    } else if ((c >= 0xdc00 && c <= 0xdfff) || CONTROL.test(value[i]!)) out += '\uFFFD';
    else out += value[i];
  }
  return out;
}

/** A JSON-like value with every string (and key) made safe by safeText; anything else (numbers, dates) as it is. */
export function safeJson<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeJson(v)) as T;
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), safeJson(v)])) as T;
  return value;
}

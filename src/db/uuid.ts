/**
 * Whether `text` is a UUID as PostgreSQL's uuid type reads it back (hyphenated, any case). Ids
 * from requests are filtered with this before a `::uuid` cast: the API's `format: uuid` also
 * accepts `urn:uuid:…`, which PostgreSQL refuses (a 500, were it sent).
 */
export const isUuid = (text: string): boolean => UUID.test(text);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

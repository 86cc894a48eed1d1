/**
 * `text` as a LIKE/ILIKE pattern that matches exactly itself: its %, _ and \ escaped with
 * PostgreSQL's default escape character. Prisma writes `equals` and `contains` with
 * `mode: 'insensitive'` as ILIKE and escapes nothing, so without this a % in a filter matched every
 * row, an _ any character (another buyer's e-mail, in the order caps), and a trailing \ was a 500.
 */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operatorQueries } from '../../src/contracts/operator-queries.js';
import { customSearchAttributes } from '../../src/contracts/search-attributes.js';

// The README shows the queries as `npm run queries` prints them at this moment.
const README_NOW = new Date('2026-11-21T12:00:00Z');

describe('ready-made operator queries', () => {
  const queries = operatorQueries(README_NOW);

  it('fill in times relative to now, in the whole seconds visibility compares', () => {
    const byName = Object.fromEntries(queries.map((q) => [q.name, q.query]));
    expect(byName['unpaid-for-an-hour']).toContain('StartTime < "2026-11-21T11:00:00Z"');
    expect(byName['abandoned-today']).toContain('CloseTime >= "2026-11-21T00:00:00Z"');
    expect(operatorQueries(new Date('2026-11-21T00:30:00.999Z'))[1]!.query).toContain('"2026-11-20T23:30:00Z"');
  });

  it('use only registered search attributes', () => {
    const registered = new Set(customSearchAttributes.map((k) => k.name));
    const builtIn = new Set(['WorkflowType', 'StartTime', 'CloseTime', 'ExecutionStatus']);
    for (const q of queries) {
      for (const [, name] of q.query.matchAll(/([A-Za-z]+)\s*(?:=|<|>|IN\b)/g)) {
        expect(registered.has(name!) || builtIn.has(name!), `${q.name}: ${name}`).toBe(true);
      }
    }
  });

  it('are listed in the README exactly as printed', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const q of queries) expect(readme, q.name).toContain(`temporal workflow list --query '${q.query}'`);
  });
});

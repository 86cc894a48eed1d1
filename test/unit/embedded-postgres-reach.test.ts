import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unreachableByPostgresUser } from '../../src/dev/embedded-postgres.js';

describe('embedded PostgreSQL under a directory only root can enter', () => {
  it('is refused at once, naming the directory and what to do (where we run as root)', () => {
    const closed = mkdtempSync(path.join(tmpdir(), 'root-only-')); // mode 700, as mktemp -d makes it
    const data = path.join(closed, 'project', '.data', 'postgres');
    mkdirSync(data, { recursive: true });
    const problem = unreachableByPostgresUser([data]);
    if (process.getuid?.() === 0) {
      expect(problem).toContain(`cannot enter ${closed} (mode 700)`);
      expect(problem).toContain(`chmod o+x ${closed}`);
      expect(problem).toContain('DATABASE_URL');
    } else {
      expect(problem).toBeUndefined(); // PostgreSQL runs as we do: it can go wherever we can
    }
  });

  it('lets a reachable place through', () => {
    const open = mkdtempSync(path.join(tmpdir(), 'open-'));
    chmodSync(open, 0o755);
    expect(unreachableByPostgresUser([path.join(open, 'data'), '/usr/lib/some-binary'])).toBeUndefined();
  });
});

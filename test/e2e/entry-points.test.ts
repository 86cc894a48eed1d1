import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findTemporalCli } from '../../src/dev/temporal-cli.js';

function run(script: string, env: Record<string, string>) {
  return spawnSync('npm', ['run', '--silent', script], {
    env: { ...process.env, NODE_ENV: 'development', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('entry points refuse bad configuration', () => {
  for (const script of ['start', 'api', 'worker', 'db:migrate']) {
    it(`npm run ${script} exits 78 and names each bad variable`, () => {
      const result = run(script, { PORT: 'eighty', TEMPORAL_ADDRESS: 'nowhere', DATABASE_URL: '' });
      expect(result.status).toBe(78);
      expect(result.stderr).toContain('Invalid configuration:');
      expect(result.stderr).toContain('PORT: must be a whole number from 0 to 65535 (got "eighty")');
      expect(result.stderr).toContain('TEMPORAL_ADDRESS: must be host:port');
    });
  }
});

describe('Temporal CLI lookup', () => {
  it('says exactly what is wrong with a TEMPORAL_CLI_PATH that does not work', async () => {
    await expect(findTemporalCli('/nonexistent/temporal')).rejects.toThrow(
      'TEMPORAL_CLI_PATH=/nonexistent/temporal is not a working Temporal CLI',
    );
  });
});

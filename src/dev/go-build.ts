import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The module version a Go-built binary was built from (`go version -m`): the binaries `go install`
 * builds (stripe-mock, Mailpit) report "master" or "dev" as their own version. Undefined when Go or
 * the build info is missing.
 */
export async function goBuiltVersion(binary: string, module: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('go', ['version', '-m', binary], { timeout: 15_000 });
    return new RegExp(`^\\s*mod\\s+${module.replaceAll('.', '\\.')}\\s+v(\\S+)`, 'm').exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

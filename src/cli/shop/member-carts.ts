/** Which cart each member of the shop CLI is using, kept in a JSON file so it survives restarts. */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** member → cart id, stored as `{ "calvin": "3f0c…" }` in `<dataDir>/shop-members.json`. */
export class MemberCarts {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'shop-members.json');
  }

  /** The member's cart id, if they have one. */
  async get(member: string): Promise<string | undefined> {
    const map = await this.read();
    return Object.hasOwn(map, member) ? map[member] : undefined;
  }

  /** Records the member's cart (a new one replaces the old). */
  async set(member: string, cartId: string): Promise<void> {
    await this.write({ ...(await this.read()), [member]: cartId });
  }

  /** Forgets the member's cart, so their next command starts a new one. */
  async forget(member: string): Promise<void> {
    const { [member]: _gone, ...rest } = await this.read();
    await this.write(rest);
  }

  // Read fresh on every call: a second CLI on the same data dir may have changed the file meanwhile.
  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${this.file} is not valid JSON; fix or delete it`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`${this.file} should hold an object of member names to cart ids; fix or delete it`);
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  }

  private async write(map: Record<string, string>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    // Write-then-rename, so a crash mid-write never leaves half a file. Cart ids grant access to the
    // cart, hence owner-only permissions.
    const temp = `${this.file}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(map, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
  }
}

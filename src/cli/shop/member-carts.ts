/**
 * Each member of the shop CLI: their guest session with the API (its cookie), the cart it owns, and
 * the access tokens of the orders it placed, kept in a JSON file so they survive restarts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What the API gave a member: the session cookie, and each order's access token. */
export interface MemberJar {
  cookie?: string;
  tokens: Record<string, string>;
}

interface Member extends MemberJar {
  cartId?: string;
}

/** member → `{ cartId, cookie, tokens }` in `<dataDir>/shop-members.json` (owner-only: it grants access). */
export class MemberCarts {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'shop-members.json');
  }

  /** The member's cart id, if they have one. */
  async get(member: string): Promise<string | undefined> {
    return (await this.member(member)).cartId;
  }

  /** Records the member's cart (a new one replaces the old). */
  async set(member: string, cartId: string): Promise<void> {
    await this.change(member, (m) => ({ ...m, cartId }));
  }

  /** Forgets the member's cart, so their next command starts a new one (the session stays). */
  async forget(member: string): Promise<void> {
    await this.change(member, ({ cartId: _gone, ...rest }) => rest);
  }

  /** The member's session with the API. */
  async jar(member: string): Promise<MemberJar> {
    const { cookie, tokens } = await this.member(member);
    return { cookie, tokens: { ...tokens } };
  }

  async saveJar(member: string, jar: MemberJar): Promise<void> {
    await this.change(member, (m) => ({ ...m, cookie: jar.cookie, tokens: jar.tokens }));
  }

  private async member(member: string): Promise<Member> {
    const map = await this.read();
    return Object.hasOwn(map, member) ? map[member]! : { tokens: {} };
  }

  private async change(member: string, edit: (m: Member) => Member): Promise<void> {
    const map = await this.read();
    await this.write({ ...map, [member]: edit(Object.hasOwn(map, member) ? map[member]! : { tokens: {} }) });
  }

  // Read fresh on every call: a second CLI on the same data dir may have changed the file meanwhile.
  private async read(): Promise<Record<string, Member>> {
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
      throw new Error(`${this.file} should hold an object of member names to their sessions; fix or delete it`);
    // A member as an older CLI kept them (a bare cart id, from before carts belonged to sessions) starts afresh.
    return Object.fromEntries(
      Object.entries(parsed).flatMap(([name, value]): [string, Member][] => {
        if (typeof value !== 'object' || value === null) return [];
        const { cartId, cookie, tokens } = value as Record<string, unknown>;
        const kept: Member = { tokens: {} };
        if (typeof cartId === 'string') kept.cartId = cartId;
        if (typeof cookie === 'string') kept.cookie = cookie;
        if (typeof tokens === 'object' && tokens !== null)
          for (const [id, token] of Object.entries(tokens)) if (typeof token === 'string') kept.tokens[id] = token;
        return [[name, kept]];
      }),
    );
  }

  private async write(map: Record<string, Member>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    // Write-then-rename, so a crash mid-write never leaves half a file. Cart ids grant access to the
    // cart, hence owner-only permissions.
    const temp = `${this.file}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(map, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
  }
}

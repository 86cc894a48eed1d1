/**
 * `npm run shop`: the command line of es-cqrs-shopping-cart (change-member, add, remove, adjust,
 * checkout, current-member, help) on this API, plus `products`, `cart` and `order`. Commands are read one per
 * line, so a script can be piped in: `printf 'change-member calvin\nadd orange\ncart\n' | npm run shop`.
 * API_URL (default http://localhost:$PORT, PORT 3000) is the API; DATA_DIR (default .data) keeps
 * which cart each member uses; SHOP_ADDRESS (JSON) is the shipping address checkout sends.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { defaultDataDir } from '../config.js';
import type { ShippingAddress } from '../domain/order.js';
import { ShopApi } from './shop/api-client.js';
import { parseCommand } from './shop/commands.js';
import { MemberCarts } from './shop/member-carts.js';
import { ShopSession } from './shop/session.js';

const env = (name: string) => process.env[name]?.trim() || undefined;
const apiUrl = env('API_URL') ?? `http://localhost:${env('PORT') ?? 3000}`;
if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol)) {
  console.error(`API_URL must be an http(s) URL such as http://localhost:3000 (got "${apiUrl}")`);
  process.exit(78); // EX_CONFIG, as the other entry points
}

// Prompts and line editing only for a person at a terminal; piped input gets plain output.
const interactive = process.stdin.isTTY === true;
const input = createInterface({
  input: process.stdin,
  output: interactive ? process.stdout : undefined,
  terminal: interactive,
});
input.on('SIGINT', () => input.close());

let shippingAddress: ShippingAddress | undefined;
const addressJson = env('SHOP_ADDRESS');
if (addressJson) {
  try {
    shippingAddress = JSON.parse(addressJson) as ShippingAddress;
  } catch {
    console.error(
      'SHOP_ADDRESS must be JSON such as {"name":"Ada","line1":"1 Main St","city":"London","postalCode":"N1 9GU","country":"GB"}',
    );
    process.exit(78);
  }
}

const session = new ShopSession(
  new ShopApi(apiUrl),
  new MemberCarts(path.resolve(env('DATA_DIR') ?? defaultDataDir)),
  (text) => console.log(text),
  shippingAddress,
);
const prompt = () => {
  if (!interactive) return;
  input.setPrompt(session.prompt);
  input.prompt();
};

if (interactive) console.log(`Shopping at ${apiUrl}. Type help for the commands.`);
prompt();
// One line at a time, each awaited: a script's `cart` must see the `add` before it.
for await (const line of input) {
  const parsed = parseCommand(line);
  if (parsed.kind === 'command') {
    if (parsed.command.kind === 'quit') break;
    await session.run(parsed.command);
  } else if (parsed.kind !== 'empty') {
    console.log(parsed.message);
  }
  prompt();
}
input.close();

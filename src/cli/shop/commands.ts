/**
 * The shop CLI's command language, parsed without I/O: one line in, one command object out. Command
 * words are case-insensitive; arguments keep their case and may contain spaces (`add wool socks 2`).
 */
import { MAX_LINE_QUANTITY } from '../../domain/cart.js';

/** A line the CLI can act on. */
export type ShopCommand =
  | { kind: 'change-member'; member: string }
  | { kind: 'current-member' }
  | { kind: 'add'; item: string; quantity: number }
  | { kind: 'remove'; item: string }
  | { kind: 'adjust'; item: string; delta: number }
  | { kind: 'checkout'; email?: string; paymentMethod?: string }
  | { kind: 'order'; orderId?: string }
  | { kind: 'products'; text: string }
  | { kind: 'cart' }
  | { kind: 'help' }
  | { kind: 'quit' };

/** What a line parses to: a command, nothing (a blank line), or a message for the user. */
export type ParsedLine =
  | { kind: 'command'; command: ShopCommand }
  | { kind: 'empty' }
  | { kind: 'usage'; message: string }
  | { kind: 'unknown'; message: string };

// The API's own limits (CreateCartBody.customerId, ProductListQuery.q): refused here with a usage
// line instead of a validation error that names a JSON field the user never typed.
const MAX_MEMBER_LENGTH = 100;
const MAX_TEXT_LENGTH = 100;

const USAGE = {
  'change-member': 'change-member NAME',
  'current-member': 'current-member',
  add: 'add ITEM [QTY]',
  remove: 'remove ITEM',
  adjust: 'adjust ITEM N',
  checkout: 'checkout [EMAIL] [PAYMENT_METHOD]',
  order: 'order [ORDER_ID]',
  products: 'products [TEXT]',
  cart: 'cart',
  help: 'help',
  quit: 'quit',
} as const;

/** The `help` text: every command, what it does, and how ITEM is found. */
export const HELP = [
  'Commands (ITEM is a SKU or a product name; a name that matches several products lists them):',
  '  change-member NAME   shop as NAME (each member keeps one cart)',
  '  current-member       show the member and their cart id',
  '  add ITEM [QTY]       put QTY (default 1) of ITEM in the cart',
  '  remove ITEM          take ITEM out of the cart',
  '  adjust ITEM N        change the quantity of ITEM by N, e.g. adjust orange -2',
  '  checkout [EMAIL] [PM] check out the cart (defaults: NAME@example.com, pm_card_visa; the address',
  '                       comes from SHOP_ADDRESS as JSON, or a demo address)',
  "  order [ORDER_ID]     show an order: the member's last one by default",
  '  products [TEXT]      list up to 20 products, matching TEXT if given',
  '  cart                 show the cart',
  '  help                 show this list',
  '  quit | exit          leave',
].join('\n');

const usage = (kind: keyof typeof USAGE, why?: string): ParsedLine => ({
  kind: 'usage',
  message: `usage: ${USAGE[kind]}${why ? ` (${why})` : ''}`,
});
const command = (c: ShopCommand): ParsedLine => ({ kind: 'command', command: c });

// A trailing token shaped like a number is read as a number, so `add orange -1` is refused rather
// than searched for as a product called "orange -1".
const NUMBER = /^[+-]?\d+(\.\d*)?$/;
const QUANTITY_RULE = `QTY is a whole number from 1 to ${MAX_LINE_QUANTITY}`;
const DELTA_RULE = `N is a non-zero whole number from -${MAX_LINE_QUANTITY} to ${MAX_LINE_QUANTITY}, e.g. adjust orange -2`;

/** Splits the last word off, when there are at least two. */
function lastWord(args: string): [rest: string, last: string] | undefined {
  const at = args.lastIndexOf(' ');
  return at < 0 ? undefined : [args.slice(0, at), args.slice(at + 1)];
}

function itemProblem(item: string): string | undefined {
  if (item === '') return 'ITEM is missing';
  if (item.length > MAX_TEXT_LENGTH) return `ITEM is at most ${MAX_TEXT_LENGTH} characters`;
  return undefined;
}

/** Parses one input line. */
export function parseCommand(line: string): ParsedLine {
  // Runs of spaces are one space, so `add  wool   socks` names the same product as `add wool socks`.
  const words = line.trim().split(/\s+/);
  const word = (words[0] ?? '').toLowerCase();
  const args = words.slice(1).join(' ');
  if (word === '') return { kind: 'empty' };

  switch (word) {
    case 'change-member':
      if (args === '') return usage('change-member', 'NAME is missing');
      if (args.length > MAX_MEMBER_LENGTH)
        return usage('change-member', `NAME is at most ${MAX_MEMBER_LENGTH} characters`);
      return command({ kind: 'change-member', member: args });

    case 'add': {
      const split = lastWord(args);
      if (split && NUMBER.test(split[1])) {
        const quantity = Number(split[1]);
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY)
          return usage('add', QUANTITY_RULE);
        const problem = itemProblem(split[0]);
        return problem ? usage('add', problem) : command({ kind: 'add', item: split[0], quantity });
      }
      const problem = itemProblem(args);
      return problem ? usage('add', problem) : command({ kind: 'add', item: args, quantity: 1 });
    }

    case 'remove': {
      const problem = itemProblem(args);
      return problem ? usage('remove', problem) : command({ kind: 'remove', item: args });
    }

    case 'adjust': {
      const [item, n] = lastWord(args) ?? ['', args];
      if (!NUMBER.test(n)) return usage('adjust', DELTA_RULE);
      const delta = Number(n);
      if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_LINE_QUANTITY)
        return usage('adjust', DELTA_RULE);
      const problem = itemProblem(item);
      return problem ? usage('adjust', problem) : command({ kind: 'adjust', item, delta });
    }

    case 'products':
      if (args.length > MAX_TEXT_LENGTH) return usage('products', `TEXT is at most ${MAX_TEXT_LENGTH} characters`);
      return command({ kind: 'products', text: args });

    case 'checkout': {
      let email: string | undefined;
      let paymentMethod: string | undefined;
      for (const token of args.split(/\s+/).filter(Boolean)) {
        if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(token) && !email) email = token;
        else if (/^pm_[A-Za-z0-9_]+$/.test(token) && !paymentMethod) paymentMethod = token;
        else return usage('checkout', `"${token}" is neither an e-mail address nor a payment method (pm_...)`);
      }
      return command({ kind: 'checkout', ...(email ? { email } : {}), ...(paymentMethod ? { paymentMethod } : {}) });
    }

    case 'order':
      if (args === '') return command({ kind: 'order' });
      return /^[0-9a-f-]{36}$/i.test(args)
        ? command({ kind: 'order', orderId: args.toLowerCase() })
        : usage('order', 'ORDER_ID is an order id (a UUID)');

    case 'current-member':
    case 'cart':
    case 'help':
      return args === '' ? command({ kind: word }) : usage(word, `${word} takes no arguments`);

    case 'quit':
    case 'exit':
      return command({ kind: 'quit' });

    default:
      return { kind: 'unknown', message: `unknown command "${words[0]}"; type help for the commands` };
  }
}

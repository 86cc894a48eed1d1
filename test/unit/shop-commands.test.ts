import { describe, expect, it } from 'vitest';
import { HELP, parseCommand, type ShopCommand } from '../../src/cli/shop/commands.js';

const command = (line: string): ShopCommand => {
  const parsed = parseCommand(line);
  if (parsed.kind !== 'command') throw new Error(`${JSON.stringify(line)} did not parse: ${JSON.stringify(parsed)}`);
  return parsed.command;
};
const usage = (line: string): string => {
  const parsed = parseCommand(line);
  if (parsed.kind !== 'usage')
    throw new Error(`${JSON.stringify(line)} is not a usage error: ${JSON.stringify(parsed)}`);
  return parsed.message;
};

describe('parseCommand', () => {
  it('reads every command of es-cqrs-shopping-cart, as its README writes them', () => {
    expect(command('change-member calvin')).toEqual({ kind: 'change-member', member: 'calvin' });
    expect(command('add orange')).toEqual({ kind: 'add', item: 'orange', quantity: 1 });
    expect(command('remove orange')).toEqual({ kind: 'remove', item: 'orange' });
    expect(command('adjust orange 10')).toEqual({ kind: 'adjust', item: 'orange', delta: 10 });
    expect(command('checkout')).toEqual({ kind: 'checkout' });
    expect(command('checkout ada@example.com')).toEqual({ kind: 'checkout', email: 'ada@example.com' });
    expect(command('checkout pm_card_chargeDeclined ada@example.com')).toEqual({
      kind: 'checkout',
      email: 'ada@example.com',
      paymentMethod: 'pm_card_chargeDeclined',
    });
    expect(command('order')).toEqual({ kind: 'order' });
    expect(command('order 0F8FAD5B-D9CB-469F-A165-70867728950E')).toEqual({
      kind: 'order',
      orderId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    expect(command('current-member')).toEqual({ kind: 'current-member' });
    expect(command('help')).toEqual({ kind: 'help' });
  });

  it('reads the commands added here', () => {
    expect(command('cart')).toEqual({ kind: 'cart' });
    expect(command('products')).toEqual({ kind: 'products', text: '' });
    expect(command('products canvas tote')).toEqual({ kind: 'products', text: 'canvas tote' });
    expect(command('quit')).toEqual({ kind: 'quit' });
    expect(command('exit')).toEqual({ kind: 'quit' });
  });

  it('takes the command word in any case and keeps the arguments as typed', () => {
    expect(command('ADD Wool Socks')).toEqual({ kind: 'add', item: 'Wool Socks', quantity: 1 });
    expect(command('Change-Member Calvin')).toEqual({ kind: 'change-member', member: 'Calvin' });
    expect(command('  CART  ')).toEqual({ kind: 'cart' });
    expect(command('Exit')).toEqual({ kind: 'quit' });
  });

  it('lets arguments contain spaces, and treats runs of spaces as one', () => {
    expect(command('add wool socks')).toEqual({ kind: 'add', item: 'wool socks', quantity: 1 });
    expect(command('add  Natural   Canvas Tote Bag\t3')).toEqual({
      kind: 'add',
      item: 'Natural Canvas Tote Bag',
      quantity: 3,
    });
    expect(command('remove Cotton Crew Socks 3-Pack')).toEqual({ kind: 'remove', item: 'Cotton Crew Socks 3-Pack' });
    expect(command('adjust wool socks -2')).toEqual({ kind: 'adjust', item: 'wool socks', delta: -2 });
    expect(command('change-member Calvin Fernandes')).toEqual({ kind: 'change-member', member: 'Calvin Fernandes' });
    // A word that only starts with digits is part of the name, not a quantity.
    expect(command('add Socks 3-Pack')).toEqual({ kind: 'add', item: 'Socks 3-Pack', quantity: 1 });
    expect(command('add Coffee Beans 1kg')).toEqual({ kind: 'add', item: 'Coffee Beans 1kg', quantity: 1 });
  });

  it('reads QTY and signed N', () => {
    expect(command('add APP-000378 99')).toEqual({ kind: 'add', item: 'APP-000378', quantity: 99 });
    expect(command('add orange +2')).toEqual({ kind: 'add', item: 'orange', quantity: 2 });
    expect(command('adjust orange -2')).toEqual({ kind: 'adjust', item: 'orange', delta: -2 });
    expect(command('adjust orange +3')).toEqual({ kind: 'adjust', item: 'orange', delta: 3 });
    expect(command('adjust orange -99')).toEqual({ kind: 'adjust', item: 'orange', delta: -99 });
    // One word alone is the item, even when it looks like a number (it may be a SKU).
    expect(command('add 12345')).toEqual({ kind: 'add', item: '12345', quantity: 1 });
  });

  it('answers bad input with the usage line and what is wrong', () => {
    expect(usage('adjust orange x')).toBe(
      'usage: adjust ITEM N (N is a non-zero whole number from -99 to 99, e.g. adjust orange -2)',
    );
    for (const line of ['adjust orange', 'adjust', 'adjust orange 0', 'adjust orange 1.5', 'adjust orange 100'])
      expect(usage(line), line).toMatch(/^usage: adjust ITEM N \(N is a non-zero whole number/);
    expect(usage('adjust -2')).toBe('usage: adjust ITEM N (ITEM is missing)');

    for (const line of ['add orange 0', 'add orange -1', 'add orange 100', 'add orange 2.5'])
      expect(usage(line), line).toBe('usage: add ITEM [QTY] (QTY is a whole number from 1 to 99)');
    expect(usage('add')).toBe('usage: add ITEM [QTY] (ITEM is missing)');
    expect(usage('remove')).toBe('usage: remove ITEM (ITEM is missing)');
    expect(usage('change-member')).toBe('usage: change-member NAME (NAME is missing)');
    expect(usage(`change-member ${'x'.repeat(101)}`)).toBe(
      'usage: change-member NAME (NAME is at most 100 characters)',
    );
    expect(usage(`add ${'x'.repeat(101)}`)).toBe('usage: add ITEM [QTY] (ITEM is at most 100 characters)');
    expect(usage(`products ${'x'.repeat(101)}`)).toBe('usage: products [TEXT] (TEXT is at most 100 characters)');
    expect(usage('cart please')).toBe('usage: cart (cart takes no arguments)');
    expect(usage('CHECKOUT now')).toBe(
      'usage: checkout [EMAIL] [PAYMENT_METHOD] ("now" is neither an e-mail address nor a payment method (pm_...))',
    );
    expect(usage('order 42')).toBe('usage: order [ORDER_ID] (ORDER_ID is an order id (a UUID))');
  });

  it('ignores blank lines and points unknown commands at help', () => {
    expect(parseCommand('')).toEqual({ kind: 'empty' });
    expect(parseCommand('   \t ')).toEqual({ kind: 'empty' });
    expect(parseCommand('Frobnicate the cart')).toEqual({
      kind: 'unknown',
      message: 'unknown command "Frobnicate"; type help for the commands',
    });
  });

  it('help names every command', () => {
    for (const word of [
      'change-member NAME',
      'current-member',
      'add ITEM [QTY]',
      'remove ITEM',
      'adjust ITEM N',
      'checkout',
      'order [ORDER_ID]',
      'products [TEXT]',
      'cart',
      'help',
      'quit',
      'exit',
    ])
      expect(HELP).toContain(word);
  });
});

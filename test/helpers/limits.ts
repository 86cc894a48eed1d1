/** Tests send far more than a shopper would; the abuse limits have tests of their own. */
export const unlimited: Record<string, string> = {
  ...Object.fromEntries(
    ['SIGN_IN', 'CARTS', 'ORDERS', 'PAYMENTS'].flatMap((g) => [
      [`RATE_LIMIT_${g}_PER_IP`, '1000000'],
      [`RATE_LIMIT_${g}_PER_SHOPPER`, '1000000'],
    ]),
  ),
  MAX_UNITS_PER_PRODUCT_PER_DAY: '10000',
};

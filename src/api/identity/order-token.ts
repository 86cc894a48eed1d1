import { createHmac } from 'node:crypto';

/**
 * An order's access token: an HMAC of its id under ORDER_TOKEN_SECRET (see OrderAccess). Here, with
 * no other import, because the worker needs it too: the e-mails carry the same tracking link as the
 * checkout's answer.
 */
export function orderAccessToken(secret: string, orderId: string): string {
  return createHmac('sha256', secret).update(`order:${orderId}`).digest('base64url');
}

/** The guest's way back to an order on the storefront: the token rides in the fragment, never sent to a server. */
export function orderTrackingUrl(publicUrl: string, orderId: string, token: string): string {
  return `${publicUrl}/?order=${encodeURIComponent(orderId)}#token=${token}`;
}

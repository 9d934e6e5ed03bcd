import { timingSafeEqual } from 'node:crypto';
import { BatonError } from '../core/errors.js';
import type { HookDelivery, InboundHookSettings } from './integration-types.js';
import { hmacHex, signatureHeader } from './webhook-sender.js';

/** How far a `baton-signature` time may be from the server's clock: older bodies are replays. */
const BATON_TOLERANCE_S = 300;

/** The header that carries a delivery's id, per signature scheme. */
const DELIVERY_HEADER = { github: 'x-github-delivery', baton: 'baton-delivery' } as const;

/** Refuses a body whose signature is missing or not made with the hook's secret (`invalid_signature`). */
export function verifySignature(hook: InboundHookSettings, delivery: HookDelivery, nowMs: number): void {
  const ok = hook.signature === 'github' ? githubSigned(hook.secret, delivery) : batonSigned(hook.secret, delivery, nowMs);
  if (!ok) {
    const header = hook.signature === 'github' ? 'X-Hub-Signature-256' : 'baton-signature';
    throw new BatonError('invalid_signature', `${header}: missing, or not the HMAC-SHA256 of this body with the hook's secret`, {
      header,
    });
  }
}

/** The delivery's id, which makes a replay recognisable; a delivery without one is refused. */
export function deliveryIdOf(hook: InboundHookSettings, delivery: HookDelivery): string {
  const header = DELIVERY_HEADER[hook.signature];
  const id = delivery.headers[header]?.trim();
  if (!id || id.length > 200) {
    throw new BatonError('invalid_argument', `${header}: a delivery id (at most 200 characters) is required`, { field: header });
  }
  return id;
}

/** `X-Hub-Signature-256: sha256=<hex HMAC of the body>`, as GitHub signs. */
function githubSigned(secret: string, delivery: HookDelivery): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(delivery.headers['x-hub-signature-256']?.trim() ?? '');
  return given !== null && sameText((given[1] as string).toLowerCase(), hmacHex(secret, delivery.body));
}

/** `baton-signature: t=<unix s>,v1=<hex>`, as Baton's own webhooks sign, within five minutes of now. */
function batonSigned(secret: string, delivery: HookDelivery, nowMs: number): boolean {
  const given = delivery.headers['baton-signature']?.trim() ?? '';
  const t = Number(/^t=(\d{1,12}),/.exec(given)?.[1]);
  if (!Number.isFinite(t) || Math.abs(nowMs / 1000 - t) > BATON_TOLERANCE_S) return false;
  return sameText(given, signatureHeader(secret, t, delivery.body));
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

import type { RandomSource } from '../ports/environment.js';
import type { Transport, TransportKind } from '../ports/transport.js';
import { EncryptedTransport } from './encrypted-transport.js';
import { FallbackTransport } from './fallback-transport.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from './handshake.js';

/**
 * - `prefer-plaintext` (default): dial plaintext; a peer that hangs up before answering is dialled
 *   again with MSE. Incoming: both; when offered both, plaintext is selected (it costs nothing).
 * - `prefer-encrypted`: dial MSE offering RC4 only; a peer that hangs up is dialled again in
 *   plaintext. Incoming: both; RC4 selected when offered.
 * - `require`: MSE with RC4 only, both ways; plaintext handshakes are refused.
 */
export type EncryptionPolicy = 'prefer-plaintext' | 'prefer-encrypted' | 'require';

/** MSE is for byte streams between classic clients (TCP, and in-memory stand-ins for it); WebRTC and WebSocket peers never use it. */
export function speaksMse(kind: TransportKind): boolean {
  return kind === 'tcp' || kind === 'memory';
}

const PROTOCOL_HEADER = [19, ...'BitTorrent protocol'.split('').map((c) => c.charCodeAt(0))];

/** Whether a connection opens with the plaintext BitTorrent handshake ("\x13BitTorrent protocol"); anything else may be MSE. */
export function isPlaintextHandshake(head: Uint8Array): boolean {
  return head.length >= PROTOCOL_HEADER.length && PROTOCOL_HEADER.every((b, i) => head[i] === b);
}

/** Our crypto_select for an initiator's crypto_provide (0 refuses). */
export function cryptoSelect(policy: EncryptionPolicy, provided: number): number {
  const order = policy === 'prefer-plaintext' ? [CRYPTO_PLAINTEXT, CRYPTO_RC4] : policy === 'prefer-encrypted' ? [CRYPTO_RC4, CRYPTO_PLAINTEXT] : [CRYPTO_RC4];
  return order.find((bit) => (provided & bit) !== 0) ?? 0;
}

export interface EncryptedDialOptions {
  readonly policy: EncryptionPolicy;
  /** SKEY: the hash our BitTorrent handshake will name. */
  readonly infoHash: Uint8Array;
  readonly random: RandomSource;
}

/**
 * Dials as the policy says. `dial` opens a raw connection (it may be called twice: the fallback
 * redials); it returns null when no transport reaches the address.
 */
export function dialWithPolicy(dial: () => Promise<Transport> | null, options: EncryptedDialOptions): Promise<Transport> | null {
  const first = dial();
  if (!first) return null;
  const encrypt = (t: Transport, provide: number) => EncryptedTransport.initiate(t, { infoHash: options.infoHash, random: options.random, provide });
  const redial = () => dial() ?? Promise.reject(new Error('no transport reaches the address'));
  switch (options.policy) {
    case 'require':
      return first.then((t) => encrypt(t, CRYPTO_RC4));
    case 'prefer-encrypted':
      return first.then((t) => new FallbackTransport(encrypt(t, CRYPTO_RC4), redial));
    case 'prefer-plaintext':
      return first.then((t) => new FallbackTransport(t, () => redial().then((t2) => encrypt(t2, CRYPTO_PLAINTEXT | CRYPTO_RC4))));
  }
}

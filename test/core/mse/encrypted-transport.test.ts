import { describe, expect, it } from 'vitest';
import { EncryptedTransport } from '../../../src/core/mse/encrypted-transport.js';
import { MseError } from '../../../src/core/mse/errors.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, MseResponder } from '../../../src/core/mse/handshake.js';
import { cryptoSelect, type EncryptionPolicy } from '../../../src/core/mse/policy.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { record, transportContract } from '../../contracts/transport.contract.js';
import { seededRandom } from '../../helpers/engine.js';

const HASH = new Uint8Array(20).fill(0x5a);
let seed = 1;

function encryptedPair(provide: number, policy: EncryptionPolicy): [EncryptedTransport, EncryptedTransport] {
  const [a, b] = memoryTransportPair({ highWaterMark: 1 << 20 });
  return [
    EncryptedTransport.initiate(a, { infoHash: HASH, provide, random: seededRandom(seed++) }),
    EncryptedTransport.respond(b, [], { random: seededRandom(seed++), infoHashes: () => [HASH], select: (p) => cryptoSelect(policy, p) }),
  ];
}

transportContract('MSE over memory, RC4 selected', async () => encryptedPair(CRYPTO_PLAINTEXT | CRYPTO_RC4, 'prefer-encrypted'));
transportContract('MSE over memory, plaintext selected', async () => encryptedPair(CRYPTO_PLAINTEXT | CRYPTO_RC4, 'prefer-plaintext'));

/** Records what one side of a memory pair writes, before it reaches the other side. */
function tapWrites(t: Transport): Uint8Array[] {
  const written: Uint8Array[] = [];
  const write = t.write.bind(t);
  t.write = (data) => {
    written.push(data.slice());
    return write(data);
  };
  return written;
}

describe('EncryptedTransport', () => {
  it('reports the method and SKEY, and RC4 hides the payload on the wire', async () => {
    const [a, b] = memoryTransportPair();
    const wire = tapWrites(a);
    const ea = EncryptedTransport.initiate(a, { infoHash: HASH, provide: CRYPTO_RC4, random: seededRandom(11) });
    const eb = EncryptedTransport.respond(b, [], { random: seededRandom(12), infoHashes: () => [HASH], select: (p) => cryptoSelect('require', p) });
    const ra = record(ea);
    const rb = record(eb);
    const secret = new TextEncoder().encode('\x13BitTorrent protocol and a secret well past one read');
    ea.write(secret);
    for (let i = 0; i < 100 && rb.bytes().length < secret.length; i++) await new Promise((r) => setTimeout(r, 1));
    expect(rb.bytes()).toEqual(secret);
    expect([ea.method, eb.method]).toEqual(['rc4', 'rc4']);
    expect(eb.infoHash).toEqual(HASH);
    const onWire = Buffer.from(concatBytes(wire));
    expect(onWire.indexOf(Buffer.from('BitTorrent protocol'))).toBe(-1);
    ea.close();
    await Promise.all([ra.closed, rb.closed]);
  });

  it('sends what was written before the handshake as the IA inside step 3 (no extra round trip)', async () => {
    // Drive the far side by hand: its step-3 read must already complete the handshake and carry our bytes.
    const [a, b] = memoryTransportPair();
    const ea = EncryptedTransport.initiate(a, { infoHash: HASH, provide: CRYPTO_PLAINTEXT | CRYPTO_RC4, random: seededRandom(13) });
    const hello = new Uint8Array(68).fill(19);
    const responder = new MseResponder({ random: seededRandom(14), infoHashes: () => [HASH], select: () => CRYPTO_PLAINTEXT });
    const flights: { done: boolean; received: Uint8Array | null }[] = [];
    b.attach({
      data: (chunk) => {
        const step = responder.receive(chunk);
        for (const s of step.send) b.write(s);
        flights.push({ done: step.done !== null, received: step.done?.received ?? null });
      },
      drain: () => {},
      close: () => {},
    });
    record(ea);
    ea.write(hello);
    for (let i = 0; i < 100 && !flights.some((f) => f.done); i++) await new Promise((r) => setTimeout(r, 1));
    expect(flights.map((f) => f.done)).toEqual([false, true]);
    expect(flights[1]!.received).toEqual(hello);
    ea.close();
  });

  it('closes with the handshake\'s typed error when the peer\'s bytes are bad', async () => {
    const [a, b] = memoryTransportPair();
    const eb = EncryptedTransport.respond(b, [new Uint8Array(96)], { random: seededRandom(15), infoHashes: () => [HASH], select: () => CRYPTO_RC4 });
    const closed = new Promise<unknown>((resolve) => eb.attach({ data: () => {}, drain: () => {}, close: resolve }));
    const ra = record(a);
    const error = await closed;
    await ra.closed;
    expect(error).toBeInstanceOf(MseError);
    expect((error as MseError).code).toBe('mse/bad-public-key');
  });

  it('closes with mse/closed when the peer hangs up during the handshake', async () => {
    const [a, b] = memoryTransportPair();
    const ea = EncryptedTransport.initiate(a, { infoHash: HASH, provide: CRYPTO_RC4, random: seededRandom(17) });
    // A plaintext-only peer: it reads our Ya, sees no BitTorrent handshake and hangs up.
    b.attach({ data: () => b.close(), drain: () => {}, close: () => {} });
    const error = await new Promise<unknown>((resolve) => ea.attach({ data: () => {}, drain: () => {}, close: resolve }));
    expect((error as MseError).code).toBe('mse/closed');
    expect((error as MseError).message).toBe('the peer closed the connection during the encryption handshake');
  });

  it('an orderly close during the handshake still delivers what was written, then closes', async () => {
    const [ea, eb] = encryptedPair(CRYPTO_RC4, 'require');
    const ra = record(ea);
    ea.write(new Uint8Array([1, 2, 3]));
    ea.close();
    expect(ea.write(new Uint8Array([4]))).toBe(false);
    const rb = record(eb);
    await Promise.all([ra.closed, rb.closed]);
    expect(rb.bytes()).toEqual(new Uint8Array([1, 2, 3]));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MseError } from '../../../src/core/mse/errors.js';
import {
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  MseInitiator,
  MseResponder,
  type MseHandshake,
  type MseResult,
} from '../../../src/core/mse/handshake.js';
import { cryptoSelect } from '../../../src/core/mse/policy.js';
import type { RandomSource } from '../../../src/core/ports/environment.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { seededRandom } from '../../helpers/engine.js';

const HASH_A = new Uint8Array(20).fill(0xaa);
const HASH_B = new Uint8Array(20).fill(0xbb);

/** Splits `bytes` at the given cut points (mod length). */
function chop(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.slice(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.length) out.push(bytes.slice(from));
  return out;
}

interface Run {
  initiator: MseResult | null;
  responder: MseResult | null;
}

/**
 * Drives two machines against each other, delivering every flight of bytes in random pieces,
 * with `extraA`/`extraB` (payload the sides send right after finishing) appended to their last flight.
 */
function drive(a: MseHandshake, b: MseHandshake, cuts: readonly number[]): Run {
  const run: Run = { initiator: null, responder: null };
  let toB = concatBytes(a.start());
  let toA = concatBytes(b.start());
  for (let round = 0; round < 10 && (toA.length > 0 || toB.length > 0); round++) {
    const nextToA: Uint8Array[] = [];
    const nextToB: Uint8Array[] = [];
    for (const piece of chop(toB, cuts)) {
      const step = b.receive(piece);
      nextToA.push(...step.send);
      if (step.done) run.responder = step.done;
    }
    for (const piece of chop(toA, cuts)) {
      const step = a.receive(piece);
      nextToB.push(...step.send);
      if (step.done) run.initiator = step.done;
    }
    toA = concatBytes(nextToA);
    toB = concatBytes(nextToB);
  }
  return run;
}

const arbRandomSeed = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('MSE handshake machines back to back', () => {
  it('agree on SKEY and method, carry the IA, and their payload ciphers interlock, whatever the chunking', () => {
    fc.assert(
      fc.property(
        arbRandomSeed,
        arbRandomSeed,
        fc.array(fc.nat(2000), { maxLength: 12 }),
        fc.constantFrom(CRYPTO_PLAINTEXT, CRYPTO_RC4, CRYPTO_PLAINTEXT | CRYPTO_RC4),
        fc.constantFrom('prefer-plaintext', 'prefer-encrypted', 'require') as fc.Arbitrary<'prefer-plaintext' | 'prefer-encrypted' | 'require'>,
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (seedA, seedB, cuts, provide, policy, ia, payload) => {
          const wanted = cryptoSelect(policy, provide);
          fc.pre(wanted !== 0);
          const a = new MseInitiator({ infoHash: HASH_B, provide, random: seededRandom(seedA), initialPayload: () => ia });
          const b = new MseResponder({ random: seededRandom(seedB), infoHashes: () => [HASH_A, HASH_B], select: (p) => cryptoSelect(policy, p) });
          const run = drive(a, b, cuts);
          expect(run.initiator).not.toBeNull();
          expect(run.responder).not.toBeNull();
          const method = wanted === CRYPTO_RC4 ? 'rc4' : 'plaintext';
          expect(run.initiator!.method).toBe(method);
          expect(run.responder!.method).toBe(method);
          expect(run.responder!.infoHash).toEqual(HASH_B);
          expect(run.responder!.received).toEqual(ia);
          expect(run.initiator!.received.length).toBe(0);
          // Payload both ways through the negotiated ciphers.
          const seal = (r: MseResult, d: Uint8Array) => (r.encrypt ? r.encrypt.process(d) : d);
          const open = (r: MseResult, d: Uint8Array) => (r.decrypt ? r.decrypt.process(d) : d);
          const wireAB = seal(run.initiator!, payload);
          const wireBA = seal(run.responder!, payload);
          if (method === 'rc4') expect(wireAB).not.toEqual(payload);
          else expect(wireAB).toEqual(payload);
          expect(open(run.responder!, wireAB)).toEqual(payload);
          expect(open(run.initiator!, wireBA)).toEqual(payload);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hands over payload bytes that arrive in the same read as the end of the handshake, decrypted', () => {
    const a = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_RC4, random: seededRandom(1) });
    const b = new MseResponder({ random: seededRandom(2), infoHashes: () => [HASH_A], select: () => CRYPTO_RC4 });
    const step2 = b.receive(concatBytes(a.start()));
    const step3 = a.receive(concatBytes(step2.send));
    // A has not seen step 4 yet: the initiator's first encrypted payload comes after it.
    const step4 = b.receive(concatBytes(step3.send));
    const rb = step4.done!;
    expect(rb.received.length).toBe(0);
    const hello = new TextEncoder().encode('hello from B');
    const end = a.receive(concatBytes([...step4.send, rb.encrypt!.process(hello)]));
    expect(end.done!.received).toEqual(hello);
  });
});

/** A responder that answers to HASH_A and takes whatever is offered. */
const responder = (random: RandomSource = seededRandom(7)) => new MseResponder({ random, infoHashes: () => [HASH_A], select: (p) => cryptoSelect('prefer-plaintext', p) });

function errorOf(f: () => unknown): MseError {
  try {
    f();
  } catch (e) {
    if (e instanceof MseError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('MSE handshake: bad input gives a typed error after bounded input', () => {
  it('garbage: the responder gives up (no-sync) once more than PadA can hold follows Ya, never later', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 96 + 532, maxLength: 2000 }), fc.array(fc.nat(3000), { maxLength: 8 }), (garbage, cuts) => {
        const b = responder();
        let before = 0;
        const error = errorOf(() => {
          for (const piece of chop(garbage, cuts)) {
            b.receive(piece);
            before += piece.length;
          }
        });
        expect(['mse/no-sync', 'mse/bad-public-key']).toContain(error.code);
        // It threw on the read that took it to 96 + 512 + 20 bytes, not after buffering more.
        expect(before).toBeLessThan(96 + 532);
      }),
      { numRuns: 50 },
    );
  });

  it('garbage shorter than that is held, not rejected (PadA may still be arriving)', () => {
    const b = responder();
    const step = b.receive(new Uint8Array(96 + 531).fill(7));
    expect(step.done).toBeNull();
    expect(step.send.length).toBe(1); // Yb + PadB went out after Ya
  });

  it('exactly: no-sync message names the bound', () => {
    const b = responder();
    const e = errorOf(() => b.receive(new Uint8Array(96 + 532).fill(7)));
    expect(e.code).toBe('mse/no-sync');
    expect(e.message).toBe("no HASH('req1', S) within 512 bytes of padding");
  });

  it('a public key of 0 is refused', () => {
    const e = errorOf(() => responder().receive(new Uint8Array(96)));
    expect(e.code).toBe('mse/bad-public-key');
    expect(e.message).toBe('the peer sent an invalid Diffie-Hellman public key');
  });

  it('a torrent we do not have is refused (HASH(req2, SKEY) matches none of ours)', () => {
    const a = new MseInitiator({ infoHash: HASH_B, provide: CRYPTO_RC4, random: seededRandom(3) });
    const b = responder();
    const step2 = b.receive(concatBytes(a.start()));
    const step3 = a.receive(concatBytes(step2.send));
    const e = errorOf(() => b.receive(concatBytes(step3.send)));
    expect(e.code).toBe('mse/unknown-torrent');
  });

  it('a tampered verification constant is refused', () => {
    const a = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_RC4, random: seededRandom(4) });
    const b = responder();
    const step2 = b.receive(concatBytes(a.start()));
    const step3 = concatBytes(a.receive(concatBytes(step2.send)).send);
    step3[40] = step3[40]! ^ 1; // first byte of ENCRYPT(VC)
    expect(errorOf(() => b.receive(step3)).code).toBe('mse/bad-verification');
  });

  it('an initiator offering only plaintext is refused by a responder that requires RC4', () => {
    const a = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_PLAINTEXT, random: seededRandom(5) });
    const b = new MseResponder({ random: seededRandom(6), infoHashes: () => [HASH_A], select: (p) => cryptoSelect('require', p) });
    const step2 = b.receive(concatBytes(a.start()));
    const e = errorOf(() => b.receive(concatBytes(a.receive(concatBytes(step2.send)).send)));
    expect(e.code).toBe('mse/no-common-method');
  });

  it('the initiator refuses a crypto_select it did not offer', () => {
    // Two initiators on the same random sequence share keys and padding; only their offers differ.
    const honest = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_PLAINTEXT | CRYPTO_RC4, random: seededRandom(8) });
    const plainOnly = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_PLAINTEXT, random: seededRandom(8) });
    const b = new MseResponder({ random: seededRandom(9), infoHashes: () => [HASH_A], select: () => CRYPTO_RC4 });
    const step1 = concatBytes(honest.start());
    expect(concatBytes(plainOnly.start())).toEqual(step1);
    const step2 = concatBytes(b.receive(step1).send);
    plainOnly.receive(step2);
    const step4 = concatBytes(b.receive(concatBytes(honest.receive(step2).send)).send);
    const e = errorOf(() => plainOnly.receive(step4));
    expect(e.code).toBe('mse/bad-select');
    expect(e.message).toBe('the peer selected crypto method 2, which we did not offer');
  });

  it('the initiator gives up when ENCRYPT(VC) is not within 512 bytes after Yb', () => {
    const b = responder();
    const lone = new MseInitiator({ infoHash: HASH_A, provide: CRYPTO_RC4, random: seededRandom(10) });
    const yb = concatBytes(b.receive(concatBytes(lone.start())).send).subarray(0, 96);
    expect(lone.receive(concatBytes([yb, new Uint8Array(519)])).done).toBeNull();
    const e = errorOf(() => lone.receive(new Uint8Array(1)));
    expect(e.code).toBe('mse/no-sync');
    expect(e.message).toBe('no verification constant within 512 bytes of padding');
  });
});

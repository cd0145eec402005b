import type { RandomSource } from '../ports/environment.js';
import { bytesEqual, concatBytes, utf8 } from '../util/bytes.js';
import { DH_KEY_BYTES, dhKeyPair, dhSecret, isValidPublicKey } from './dh.js';
import { MseError } from './errors.js';
import { Rc4 } from './rc4.js';
import { sha1 } from './sha1.js';

/** crypto_provide / crypto_select bits. */
export const CRYPTO_PLAINTEXT = 0x01;
export const CRYPTO_RC4 = 0x02;

export type CryptoMethod = 'plaintext' | 'rc4';

/** Padding (PadA..PadD) is 0..512 random bytes; a peer that sends more is not speaking MSE. */
export const MAX_PADDING = 512;
/** len(IA) is a 16-bit field. */
export const MAX_INITIAL_PAYLOAD = 0xffff;
const VC = new Uint8Array(8);

export interface MseResult {
  readonly method: CryptoMethod;
  /** SKEY: the info hash both sides proved they know. */
  readonly infoHash: Uint8Array;
  /** Ciphers for the payload stream (null when plaintext was selected); they continue the handshake's RC4 streams. */
  readonly encrypt: Rc4 | null;
  readonly decrypt: Rc4 | null;
  /** Payload that arrived with the handshake, decrypted: the initiator's IA, then anything after it. */
  readonly received: Uint8Array;
}

export interface MseStep {
  /** Bytes to write to the peer, in order. */
  readonly send: readonly Uint8Array[];
  /** Set once, by the call that completes the handshake. */
  readonly done: MseResult | null;
}

/**
 * One side of the MSE/PE handshake, sans-I/O: bytes in, bytes to send and finally a result out.
 * `receive` throws only MseError; after a throw or a result the machine must not be fed again.
 * Every state needs a bounded number of bytes, so what it buffers is bounded (about 66 KiB, most of
 * it a maximal IA).
 */
export interface MseHandshake {
  readonly role: 'initiator' | 'responder';
  /** Bytes to send as soon as the connection is up (the initiator's Ya + PadA). */
  start(): Uint8Array[];
  receive(chunk: Uint8Array): MseStep;
}

const LABEL = {
  req1: utf8('req1'),
  req2: utf8('req2'),
  req3: utf8('req3'),
  keyA: utf8('keyA'),
  keyB: utf8('keyB'),
};

/** Unconsumed input; the handshake reads fixed-size fields and scans for two sync patterns. */
class Input {
  private bytes: Uint8Array = new Uint8Array(0);

  get length(): number {
    return this.bytes.length;
  }

  push(chunk: Uint8Array): void {
    this.bytes = this.bytes.length === 0 ? chunk.slice() : concatBytes([this.bytes, chunk]);
  }

  take(count: number): Uint8Array {
    const out = this.bytes.subarray(0, count);
    this.bytes = this.bytes.subarray(count);
    return out;
  }

  rest(): Uint8Array {
    return this.take(this.bytes.length);
  }

  indexOf(pattern: Uint8Array): number {
    const b = this.bytes;
    outer: for (let i = 0; i + pattern.length <= b.length; i++) {
      for (let k = 0; k < pattern.length; k++) if (b[i + k] !== pattern[k]) continue outer;
      return i;
    }
    return -1;
  }
}

function padding(random: RandomSource): Uint8Array {
  return random.bytes(Math.floor(random.float() * (MAX_PADDING + 1)));
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >>> 8, value & 0xff]);
}

function u32(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

function readU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((x, i) => x ^ b[i]!);
}

function methodOf(bit: number): CryptoMethod {
  return bit === CRYPTO_RC4 ? 'rc4' : 'plaintext';
}

function peerKey(publicKey: Uint8Array): Uint8Array {
  if (!isValidPublicKey(publicKey)) throw new MseError('mse/bad-public-key', 'the peer sent an invalid Diffie-Hellman public key');
  return publicKey;
}

export interface MseInitiatorOptions {
  /** SKEY: the info hash we dial for (the one we would name in the BitTorrent handshake). */
  readonly infoHash: Uint8Array;
  /** crypto_provide: CRYPTO_PLAINTEXT | CRYPTO_RC4, or one of them. */
  readonly provide: number;
  readonly random: RandomSource;
  /** Called once, when step 3 is built: the IA to send with it (at most 65 535 bytes; usually our BitTorrent handshake). */
  readonly initialPayload?: () => Uint8Array;
}

/**
 * Side A (we dialled): 1. Ya, PadA → 2. ← Yb, PadB → 3. HASH('req1', S), HASH('req2', SKEY) xor
 * HASH('req3', S), ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA) → 4. ←
 * ENCRYPT(VC, crypto_select, len(PadD), PadD) → payload.
 */
export class MseInitiator implements MseHandshake {
  readonly role = 'initiator' as const;
  private readonly input = new Input();
  private readonly keys: ReturnType<typeof dhKeyPair>;
  private state: 'yb' | 'vc' | 'select' | 'pad' | 'done' = 'yb';
  private encrypt: Rc4 | null = null;
  private decrypt: Rc4 | null = null;
  private vcPattern: Uint8Array = VC;
  private selected = 0;
  private padLength = 0;

  constructor(private readonly options: MseInitiatorOptions) {
    this.keys = dhKeyPair(options.random);
  }

  start(): Uint8Array[] {
    return [concatBytes([this.keys.publicKey, padding(this.options.random)])];
  }

  receive(chunk: Uint8Array): MseStep {
    this.input.push(chunk);
    const send: Uint8Array[] = [];
    for (;;) {
      switch (this.state) {
        case 'yb': {
          if (this.input.length < DH_KEY_BYTES) return { send, done: null };
          send.push(this.step3(dhSecret(this.keys.privateKey, peerKey(this.input.take(DH_KEY_BYTES).slice()))));
          this.state = 'vc';
          break;
        }
        case 'vc': {
          const at = this.input.indexOf(this.vcPattern);
          if (at < 0) {
            if (this.input.length >= MAX_PADDING + VC.length) throw new MseError('mse/no-sync', `no verification constant within ${MAX_PADDING} bytes of padding`);
            return { send, done: null };
          }
          this.input.take(at + VC.length);
          this.state = 'select';
          break;
        }
        case 'select': {
          if (this.input.length < 6) return { send, done: null };
          const fields = this.decrypt!.process(this.input.take(6));
          this.selected = readU32(fields, 0);
          this.padLength = readU16(fields, 4);
          if ((this.selected !== CRYPTO_PLAINTEXT && this.selected !== CRYPTO_RC4) || (this.selected & this.options.provide) === 0) {
            throw new MseError('mse/bad-select', `the peer selected crypto method ${this.selected}, which we did not offer`);
          }
          if (this.padLength > MAX_PADDING) throw new MseError('mse/bad-padding', `the peer announced ${this.padLength} bytes of padding (at most ${MAX_PADDING})`);
          this.state = 'pad';
          break;
        }
        case 'pad': {
          if (this.input.length < this.padLength) return { send, done: null };
          this.decrypt!.apply(this.input.take(this.padLength).slice());
          this.state = 'done';
          const rc4 = this.selected === CRYPTO_RC4;
          const rest = this.input.rest();
          return {
            send,
            done: {
              method: methodOf(this.selected),
              infoHash: this.options.infoHash,
              encrypt: rc4 ? this.encrypt : null,
              decrypt: rc4 ? this.decrypt : null,
              received: rc4 ? this.decrypt!.process(rest) : rest.slice(),
            },
          };
        }
        case 'done':
          return { send, done: null };
      }
    }
  }

  private step3(secret: Uint8Array): Uint8Array {
    const skey = this.options.infoHash;
    this.encrypt = new Rc4(sha1(LABEL.keyA, secret, skey));
    this.decrypt = new Rc4(sha1(LABEL.keyB, secret, skey));
    // The responder's step 4 opens with ENCRYPT(VC): the first 8 bytes of its keystream.
    this.vcPattern = this.decrypt.process(VC);
    const ia = this.options.initialPayload?.() ?? new Uint8Array(0);
    if (ia.length > MAX_INITIAL_PAYLOAD) throw new RangeError('MSE initial payload is longer than 65535 bytes');
    const padC = padding(this.options.random);
    const encrypted = this.encrypt.process(concatBytes([VC, u32(this.options.provide), u16(padC.length), padC, u16(ia.length), ia]));
    return concatBytes([sha1(LABEL.req1, secret), xor(sha1(LABEL.req2, skey), sha1(LABEL.req3, secret)), encrypted]);
  }
}

export interface MseResponderOptions {
  readonly random: RandomSource;
  /** The info hashes we answer to (each torrent's v1 hash and truncated v2 hash): SKEY must be one of them. */
  readonly infoHashes: () => Iterable<Uint8Array>;
  /** Picks one bit of the initiator's crypto_provide; 0 refuses the connection. */
  readonly select: (provided: number) => number;
}

/** Side B (the peer dialled us). The mirror of MseInitiator; it learns SKEY from HASH('req2', SKEY). */
export class MseResponder implements MseHandshake {
  readonly role = 'responder' as const;
  private readonly input = new Input();
  private state: 'ya' | 'req1' | 'skey' | 'header' | 'padc' | 'ia' | 'done' = 'ya';
  private secret: Uint8Array = new Uint8Array(0);
  private req1: Uint8Array = new Uint8Array(0);
  private infoHash: Uint8Array = new Uint8Array(0);
  private encrypt: Rc4 | null = null;
  private decrypt: Rc4 | null = null;
  private provided = 0;
  private padLength = 0;
  private iaLength = 0;

  constructor(private readonly options: MseResponderOptions) {}

  start(): Uint8Array[] {
    return [];
  }

  receive(chunk: Uint8Array): MseStep {
    this.input.push(chunk);
    const send: Uint8Array[] = [];
    for (;;) {
      switch (this.state) {
        case 'ya': {
          if (this.input.length < DH_KEY_BYTES) return { send, done: null };
          const ya = peerKey(this.input.take(DH_KEY_BYTES).slice());
          const keys = dhKeyPair(this.options.random);
          this.secret = dhSecret(keys.privateKey, ya);
          this.req1 = sha1(LABEL.req1, this.secret);
          send.push(concatBytes([keys.publicKey, padding(this.options.random)]));
          this.state = 'req1';
          break;
        }
        case 'req1': {
          const at = this.input.indexOf(this.req1);
          if (at < 0) {
            if (this.input.length >= MAX_PADDING + this.req1.length) throw new MseError('mse/no-sync', `no HASH('req1', S) within ${MAX_PADDING} bytes of padding`);
            return { send, done: null };
          }
          this.input.take(at + this.req1.length);
          this.state = 'skey';
          break;
        }
        case 'skey': {
          if (this.input.length < 20) return { send, done: null };
          const wanted = xor(this.input.take(20), sha1(LABEL.req3, this.secret));
          const found = this.findInfoHash(wanted);
          if (!found) throw new MseError('mse/unknown-torrent', 'the peer asked for a torrent we do not have');
          this.infoHash = found.slice();
          this.decrypt = new Rc4(sha1(LABEL.keyA, this.secret, this.infoHash));
          this.encrypt = new Rc4(sha1(LABEL.keyB, this.secret, this.infoHash));
          this.state = 'header';
          break;
        }
        case 'header': {
          if (this.input.length < 14) return { send, done: null };
          const header = this.decrypt!.process(this.input.take(14));
          if (!bytesEqual(header.subarray(0, 8), VC)) throw new MseError('mse/bad-verification', 'the verification constant did not decrypt to zeros');
          this.provided = readU32(header, 8);
          this.padLength = readU16(header, 12);
          if (this.padLength > MAX_PADDING) throw new MseError('mse/bad-padding', `the peer announced ${this.padLength} bytes of padding (at most ${MAX_PADDING})`);
          this.state = 'padc';
          break;
        }
        case 'padc': {
          if (this.input.length < this.padLength + 2) return { send, done: null };
          const fields = this.decrypt!.process(this.input.take(this.padLength + 2));
          this.iaLength = readU16(fields, this.padLength);
          this.state = 'ia';
          break;
        }
        case 'ia': {
          if (this.input.length < this.iaLength) return { send, done: null };
          const ia = this.decrypt!.process(this.input.take(this.iaLength));
          const selected = this.options.select(this.provided);
          if ((selected !== CRYPTO_PLAINTEXT && selected !== CRYPTO_RC4) || (selected & this.provided) === 0) {
            throw new MseError('mse/no-common-method', `no crypto method we allow among those offered (${this.provided})`);
          }
          const padD = padding(this.options.random);
          send.push(this.encrypt!.process(concatBytes([VC, u32(selected), u16(padD.length), padD])));
          this.state = 'done';
          const rc4 = selected === CRYPTO_RC4;
          const rest = this.input.rest();
          return {
            send,
            done: {
              method: methodOf(selected),
              infoHash: this.infoHash,
              encrypt: rc4 ? this.encrypt : null,
              decrypt: rc4 ? this.decrypt : null,
              received: concatBytes([ia, rc4 ? this.decrypt!.process(rest) : rest]),
            },
          };
        }
        case 'done':
          return { send, done: null };
      }
    }
  }

  private findInfoHash(wanted: Uint8Array): Uint8Array | undefined {
    for (const hash of this.options.infoHashes()) if (bytesEqual(sha1(LABEL.req2, hash), wanted)) return hash;
    return undefined;
  }
}

import { describe, expect, it } from 'vitest';
import { WireDecoder } from '../../../src/core/wire/decoder.js';
import { encodeHandshake, encodeMessage } from '../../../src/core/wire/encode.js';
import { parseExtendedHandshake } from '../../../src/core/wire/extended-handshake.js';
import type { ExtendedMessage, WireMessage } from '../../../src/core/wire/messages.js';
import { createReserved, supportsDht, supportsExtended, supportsFast } from '../../../src/core/wire/reserved.js';

// Interop with bittorrent-protocol, the wire WebTorrent speaks: our decoder reads its bytes, it reads ours.

interface Wire {
  on(event: string, listener: (...args: unknown[]) => void): void;
  write(chunk: Uint8Array): void;
  handshake(infoHash: string, peerId: string, extensions: { dht: boolean; fast: boolean }): void;
  unchoke(): void;
  interested(): void;
  have(index: number): void;
  bitfield(bits: Uint8Array): void;
  request(index: number, offset: number, length: number, cb: (err: Error | null) => void): void;
  piece(index: number, offset: number, block: Uint8Array): void;
  cancel(index: number, offset: number, length: number): void;
  port(port: number): void;
  suggest(index: number): void;
  allowedFast(index: number): void;
  haveNone(): void;
  extended(id: number, payload: Uint8Array): void;
  destroy(): void;
}

async function loadWire(): Promise<new () => Wire> {
  const specifier: string = 'bittorrent-protocol';
  return ((await import(specifier)) as { default: new () => Wire }).default;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
const infoHash = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const peerId = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('bittorrent-protocol interop', () => {
  it('decodes the byte stream bittorrent-protocol writes', async () => {
    const Wire = await loadWire();
    const wire = new Wire();
    const written: Uint8Array[] = [];
    wire.on('data', (chunk) => written.push(chunk as Uint8Array));
    wire.on('error', () => {});
    // Our side speaks first (fast + extended), so its wire enables BEP 6 and sends an extended handshake.
    wire.write(encodeHandshake({ reserved: createReserved({ extended: true, fast: true }), infoHash, peerId }));
    wire.write(encodeMessage({ type: 'unchoke' }));
    await tick();
    wire.handshake(hex(infoHash), hex(peerId), { dht: true, fast: true });
    wire.bitfield(new Uint8Array([0xf0, 0x0f]));
    wire.have(5);
    wire.unchoke();
    wire.interested();
    wire.request(2, 16384, 16384, () => {});
    wire.piece(1, 0, Uint8Array.from({ length: 16384 }, (_, i) => i & 0xff));
    wire.port(6881);
    wire.suggest(3);
    wire.allowedFast(4);
    wire.haveNone();
    wire.extended(3, new Uint8Array([100, 101]));
    await tick();
    wire.destroy();

    const decoder = new WireDecoder();
    const messages: WireMessage[] = [];
    for (const chunk of written) decoder.push(chunk, messages);
    expect(decoder.buffered).toBe(0);

    const [handshake, extended, ...rest] = messages;
    expect(handshake?.type).toBe('handshake');
    if (handshake?.type !== 'handshake') return;
    expect([hex(handshake.infoHash), hex(handshake.peerId)]).toEqual([hex(infoHash), hex(peerId)]);
    expect([supportsExtended(handshake.reserved), supportsFast(handshake.reserved), supportsDht(handshake.reserved)]).toEqual([
      true,
      true,
      true,
    ]);
    expect(extended).toMatchObject({ type: 'extended', id: 0 });
    expect(parseExtendedHandshake((extended as ExtendedMessage).payload).extensions).toBeInstanceOf(Map);
    expect(rest.map((m) => (m.type === 'piece' ? { ...m, block: hex(m.block) } : m))).toEqual([
      { type: 'bitfield', bits: new Uint8Array([0xf0, 0x0f]) },
      { type: 'have', index: 5 },
      { type: 'unchoke' },
      { type: 'interested' },
      { type: 'request', index: 2, begin: 16384, length: 16384 },
      { type: 'piece', index: 1, begin: 0, block: hex(Uint8Array.from({ length: 16384 }, (_, i) => i & 0xff)) },
      { type: 'port', port: 6881 },
      { type: 'suggest', index: 3 },
      { type: 'allowed-fast', index: 4 },
      { type: 'have-none' },
      { type: 'extended', id: 3, payload: new Uint8Array([100, 101]) },
    ]);
  });

  it('is understood by bittorrent-protocol', async () => {
    const Wire = await loadWire();
    const wire = new Wire();
    const seen: unknown[] = [];
    wire.on('error', (e) => seen.push(['error', String(e)]));
    wire.on('handshake', (ih, id, ext) => seen.push(['handshake', ih, id, ext]));
    for (const event of ['unchoke', 'interested', 'have', 'port', 'have-all', 'allowed-fast', 'suggest']) {
      wire.on(event, (...args) => seen.push([event, ...args]));
    }
    wire.on('bitfield', (bits) => seen.push(['bitfield', hex((bits as { buffer: Uint8Array }).buffer)]));
    const bytes = [
      encodeHandshake({ reserved: createReserved({ extended: true, fast: true, dht: true }), infoHash, peerId }),
      encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff, 0x80]) }),
      encodeMessage({ type: 'have', index: 9 }),
      encodeMessage({ type: 'unchoke' }),
      encodeMessage({ type: 'interested' }),
      encodeMessage({ type: 'port', port: 51413 }),
      encodeMessage({ type: 'keep-alive' }),
    ];
    for (const b of bytes) wire.write(b);
    await tick();
    wire.destroy();
    expect(seen).toEqual([
      ['handshake', hex(infoHash), hex(peerId), { extended: true, dht: true, fast: true }],
      ['bitfield', 'ff80'],
      ['have', 9],
      ['unchoke'],
      ['interested'],
      ['port', 51413],
    ]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { MetadataAssembler } from '../../../src/core/extensions/ut-metadata/assembler.js';
import { decodeMetadataMessage, encodeMetadataMessage } from '../../../src/core/extensions/ut-metadata/codec.js';
import type { MetadataMessage } from '../../../src/core/extensions/ut-metadata/codec.js';
import { answerMetadataRequest } from '../../../src/core/extensions/ut-metadata/responder.js';
import { verifyMetadata } from '../../../src/core/extensions/ut-metadata/verify.js';
import { fromUtf8, utf8 } from '../../../src/core/util/bytes.js';
import { digestSync, nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed * 3) & 0xff);
}

describe('ut_metadata codec', () => {
  it('encodes the three BEP 9 messages byte for byte', () => {
    expect(fromUtf8(encodeMetadataMessage({ type: 'request', piece: 0 }))).toBe('d8:msg_typei0e5:piecei0ee');
    expect(fromUtf8(encodeMetadataMessage({ type: 'reject', piece: 3 }))).toBe('d8:msg_typei2e5:piecei3ee');
    expect(fromUtf8(encodeMetadataMessage({ type: 'data', piece: 1, totalSize: 16390, data: utf8('xyz') }))).toBe(
      'd8:msg_typei1e5:piecei1e10:total_sizei16390eexyz',
    );
  });

  it('round-trips (property)', () => {
    const message: fc.Arbitrary<MetadataMessage> = fc.oneof(
      fc.record({ type: fc.constantFrom('request' as const, 'reject' as const), piece: fc.integer({ min: 0, max: 1023 }) }),
      fc.record({
        type: fc.constant('data' as const),
        piece: fc.integer({ min: 0, max: 1023 }),
        totalSize: fc.integer({ min: 1, max: 16 * 1024 * 1024 }),
        data: fc.uint8Array({ minLength: 1, maxLength: 16384 }),
      }),
    );
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMetadataMessage(encodeMetadataMessage(m))).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores unknown msg_type values and rejects malformed messages with exact codes', () => {
    expect(decodeMetadataMessage(encodeBencode({ msg_type: 7, piece: 0 }))).toBeNull();
    const code = (payload: Uint8Array): string => {
      try {
        decodeMetadataMessage(payload);
        return 'none';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(code(utf8('d8:msg_typei0ee'))).toBe('ut-metadata/bad-message');
    expect(code(encodeBencode([0]))).toBe('ut-metadata/bad-message');
    expect(code(utf8('d8:msg_typei0e5:piecei0eeX'))).toBe('ut-metadata/bad-message');
    expect(code(encodeBencode({ msg_type: 1, piece: 0 }))).toBe('ut-metadata/bad-message');
    expect(code(encodeBencode({ msg_type: 0, piece: -1 }))).toBe('ut-metadata/out-of-range');
    expect(code(encodeBencode({ msg_type: 1, piece: 0, total_size: 16 * 1024 * 1024 + 1 }))).toBe('ut-metadata/out-of-range');
    const tooLong = new Uint8Array([...encodeBencode({ msg_type: 1, piece: 0, total_size: 40000 }), ...new Uint8Array(16385)]);
    expect(code(tooLong)).toBe('ut-metadata/out-of-range');
  });
});

describe('ut_metadata responder', () => {
  const info = bytes(40000, 1);

  it('serves 16 KiB pieces as views and rejects what it cannot serve', () => {
    expect(answerMetadataRequest(info, 0)).toEqual({ type: 'data', piece: 0, totalSize: 40000, data: info.subarray(0, 16384) });
    const last = answerMetadataRequest(info, 2);
    expect(last.type === 'data' && last.data.length).toBe(40000 - 32768);
    expect(answerMetadataRequest(info, 3)).toEqual({ type: 'reject', piece: 3 });
    expect(answerMetadataRequest(null, 0)).toEqual({ type: 'reject', piece: 0 });
  });
});

describe('MetadataAssembler', () => {
  const info = bytes(40000, 2);

  function serve(assembler: MetadataAssembler<string>, peer: string, piece: number): Uint8Array | null {
    const answer = answerMetadataRequest(info, piece);
    if (answer.type !== 'data') throw new Error('unexpected reject');
    return assembler.onData(peer, answer.piece, answer.totalSize, answer.data);
  }

  it('spreads requests over peers, and tolerates a reject and a peer leaving', () => {
    const assembler = new MetadataAssembler<string>();
    expect(assembler.addPeer('a', 40000)).toBe(true);
    expect(assembler.addPeer('b', 40000)).toBe(true);
    expect(assembler.pieceCount).toBe(3);
    expect(assembler.nextRequests('a', 0)).toEqual([0, 1]);
    expect(assembler.nextRequests('b', 0)).toEqual([2]);
    assembler.onReject('b', 2, 0);
    // b is left alone for the reject backoff; a is full.
    expect(assembler.nextRequests('b', 1000)).toEqual([]);
    expect(serve(assembler, 'a', 0)).toBeNull();
    assembler.removePeer('a');
    assembler.addPeer('c', 40000);
    expect(assembler.nextRequests('c', 2000)).toEqual([1, 2]);
    expect(serve(assembler, 'c', 2)).toBeNull();
    const done = serve(assembler, 'c', 1);
    expect(done).toEqual(info);
    expect(assembler.status).toBe('verifying');
  });

  it('re-issues a request that timed out', () => {
    const assembler = new MetadataAssembler<string>({ requestTimeout: 5000 });
    assembler.addPeer('a', 100);
    assembler.addPeer('b', 100);
    expect(assembler.nextRequests('a', 0)).toEqual([0]);
    expect(assembler.nextRequests('b', 4999)).toEqual([]);
    expect(assembler.nextRequests('b', 5000)).toEqual([0]);
  });

  it('follows the size most peers announce and refuses sizes beyond the bound', () => {
    const assembler = new MetadataAssembler<string>({ maxSize: 1 << 20 });
    expect(assembler.addPeer('liar', 999)).toBe(true);
    expect(assembler.addPeer('x', 40000)).toBe(true);
    expect(assembler.addPeer('y', 40000)).toBe(true);
    expect(assembler.size).toBe(40000);
    expect(assembler.nextRequests('liar', 0)).toEqual([]);
    expect(assembler.addPeer('huge', (1 << 20) + 1)).toBe(false);
    expect(assembler.addPeer('none', undefined)).toBe(false);
    // Data of the wrong size or for another total size is ignored.
    assembler.nextRequests('x', 0);
    expect(assembler.onData('x', 0, 40000, new Uint8Array(100))).toBeNull();
    expect(assembler.onData('liar', 0, 999, new Uint8Array(999))).toBeNull();
    expect(assembler.piecesReceived).toBe(0);
  });

  it('discards everything and starts again when verification fails', async () => {
    const assembler = new MetadataAssembler<string>();
    assembler.addPeer('a', 40000);
    assembler.nextRequests('a', 0);
    assembler.onData('a', 0, 40000, info.subarray(0, 16384));
    assembler.onData('a', 1, 40000, new Uint8Array(16384));
    assembler.nextRequests('a', 0);
    const bad = assembler.onData('a', 2, 40000, info.subarray(32768))!;
    const expected = { v1: digestSync('sha1', info) };
    expect(await verifyMetadata(nodeHasher, bad, expected)).toBe(false);
    expect(assembler.verificationFailed()).toEqual(['a']);
    expect(assembler.status).toBe('collecting');
    expect(assembler.piecesReceived).toBe(0);
    expect(assembler.nextRequests('a', 0)).toEqual([0, 1]);
    serve(assembler, 'a', 0);
    serve(assembler, 'a', 1);
    assembler.nextRequests('a', 0);
    const good = serve(assembler, 'a', 2)!;
    expect(await verifyMetadata(nodeHasher, good, expected)).toBe(true);
    assembler.verified();
    expect(assembler.status).toBe('done');
  });

  it('verifies against v1, full v2 and truncated v2 hashes', async () => {
    const sha256 = digestSync('sha256', info);
    expect(await verifyMetadata(nodeHasher, info, { v2: sha256 })).toBe(true);
    expect(await verifyMetadata(nodeHasher, info, { v2: sha256.subarray(0, 20) })).toBe(true);
    expect(await verifyMetadata(nodeHasher, info, { v1: digestSync('sha1', info), v2: sha256 })).toBe(true);
    expect(await verifyMetadata(nodeHasher, info, { v1: new Uint8Array(20), v2: sha256 })).toBe(false);
    expect(await verifyMetadata(nodeHasher, info, {})).toBe(false);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataAssembler } from '../../../src/core/extensions/ut-metadata/assembler.js';
import { answerMetadataRequest } from '../../../src/core/extensions/ut-metadata/responder.js';
import { verifyMetadata } from '../../../src/core/extensions/ut-metadata/verify.js';
import { parseMetainfo } from '../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { requireTool, run } from '../../helpers/tools.js';
import { ConnectionPair } from '../peer/connection-pair.js';

let dir = '';
let meta: Metainfo;

beforeAll(async () => {
  requireTool('mktorrent');
  dir = mkdtempSync(join(tmpdir(), 'sluice-utmeta-'));
  const content = join(dir, 'content');
  mkdirSync(content);
  // Many files with long names make an info dictionary of several 16 KiB pieces from almost no data.
  for (let i = 0; i < 450; i++) writeFileSync(join(content, `${String(i).padStart(4, '0')}-${'long-file-name-'.repeat(6)}.txt`), `file ${i}\n`);
  const torrent = join(dir, 'x.torrent');
  run('mktorrent', ['-l', '15', '-o', torrent, content]);
  meta = await parseMetainfo(new Uint8Array(readFileSync(torrent)), nodeHasher);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ut_metadata between two connections', () => {
  it('fetches a real info dictionary from two seeds, through a reject and a seed leaving mid-way', async () => {
    // Four metadata pieces.
    expect(meta.infoBytes.length).toBeGreaterThan(3 * 16384);
    expect(meta.infoBytes.length).toBeLessThanOrEqual(4 * 16384);
    const size = meta.infoBytes.length;
    const seedOptions = { pieceCount: meta.pieceCount, metadataSize: size };
    const magnetOptions = { pieceCount: null, metadataSize: undefined, infoHash: meta.infoHash! };
    const pairs = new Map([
      ['s1', new ConnectionPair(magnetOptions, { ...seedOptions, infoHash: meta.infoHash! })],
      ['s2', new ConnectionPair(magnetOptions, { ...seedOptions, infoHash: meta.infoHash! })],
    ]);
    const assembler = new MetadataAssembler<string>({ rejectBackoff: 2000 });
    for (const [key, pair] of pairs) {
      const { a } = pair.open();
      const handshake = a.find((e) => e.type === 'extended-handshake');
      expect(handshake?.type === 'extended-handshake' && handshake.handshake.metadataSize).toBe(size);
      if (handshake?.type === 'extended-handshake') expect(assembler.addPeer(key, handshake.handshake.metadataSize)).toBe(true);
    }

    const log: string[] = [];
    let rejectedOnce = false;
    let s2Served = false;
    let result: Uint8Array | null = null;
    for (let now = 0; result === null && now < 60_000; now += 1000) {
      for (const [key, pair] of [...pairs]) {
        pair.now = now;
        for (const piece of assembler.nextRequests(key, now)) expect(pair.a.sendMetadata({ type: 'request', piece })).toBe(true);
        // The seed side answers requests: s1 turns down its first one; s2 serves one piece, ignores the rest
        // and goes away with a request outstanding.
        for (const event of pair.flush().b) {
          if (event.type !== 'metadata' || event.message.type !== 'request') continue;
          const { piece } = event.message;
          if (key === 's1' && !rejectedOnce) {
            rejectedOnce = true;
            pair.b.sendMetadata({ type: 'reject', piece });
          } else if (key === 's2') {
            if (!s2Served) pair.b.sendMetadata(answerMetadataRequest(meta.infoBytes, piece));
            s2Served = true;
          } else {
            pair.b.sendMetadata(answerMetadataRequest(meta.infoBytes, piece));
          }
        }
        for (const event of pair.flush().a) {
          if (event.type !== 'metadata') continue;
          const m = event.message;
          log.push(`${key}:${m.type}:${m.piece}`);
          if (m.type === 'reject') assembler.onReject(key, m.piece, now);
          if (m.type === 'data') result = assembler.onData(key, m.piece, m.totalSize, m.data) ?? result;
        }
        if (key === 's2' && log.some((l) => l.startsWith('s2:data'))) {
          pairs.delete('s2');
          assembler.removePeer('s2');
        }
      }
    }

    expect(log).toContain('s1:reject:0');
    // s1 got [0, 1] and rejected 0; s2 then got [0, 2], served 0 and left; s1, after its backoff, got [2, 3].
    expect(log.filter((l) => l.startsWith('s2:'))).toEqual(['s2:data:0']);
    expect(log.filter((l) => l.startsWith('s1:'))).toEqual(['s1:reject:0', 's1:data:1', 's1:data:2', 's1:data:3']);
    expect(result).not.toBeNull();
    expect(result).toEqual(meta.infoBytes);
    expect(await verifyMetadata(nodeHasher, result!, { v1: meta.infoHash })).toBe(true);
    assembler.verified();
    expect(assembler.status).toBe('done');

    // With the metadata known, the magnet side learns the seed's pieces.
    const s1 = [...pairs.values()][0]!;
    s1.b.haveAll();
    s1.flush();
    expect(s1.a.setPieceCount(meta.pieceCount)).toEqual([]);
    expect(s1.a.peerBitfield?.hasAll()).toBe(true);
  });

  it('answers with a reject when we do not have the metadata yet', () => {
    const pair = new ConnectionPair({ pieceCount: null, metadataSize: undefined });
    pair.open();
    pair.b.sendMetadata({ type: 'request', piece: 0 });
    const request = pair.flush().a.find((e) => e.type === 'metadata');
    expect(request).toEqual({ type: 'metadata', message: { type: 'request', piece: 0 } });
    pair.a.sendMetadata(answerMetadataRequest(null, 0));
    expect(pair.flush().b).toEqual([{ type: 'metadata', message: { type: 'reject', piece: 0 } }]);
  });

  it('sends a data piece as a header chunk followed by the piece itself', () => {
    const pair = new ConnectionPair();
    pair.open();
    const data = new Uint8Array(16384).fill(7);
    pair.a.sendMetadata({ type: 'data', piece: 0, totalSize: 20000, data });
    const out = pair.a.takeOutgoing();
    expect(out).toHaveLength(2);
    expect(out[1]).toBe(data);
    const header = out[0]!;
    const length = new DataView(header.buffer, header.byteOffset).getUint32(0);
    expect(length).toBe(header.length - 4 + data.length);
    expect([header[4], header[5]]).toEqual([20, 2]);
  });
});

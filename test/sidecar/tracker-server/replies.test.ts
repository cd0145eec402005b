import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { encodeCompactPeers } from '../../../src/core/tracker/compact-peers.js';
import { encodeTrackerMessage } from '../../../src/core/tracker/ws/tracker-messages.js';
import { binaryStringToBytes } from '../../../src/core/tracker/ws/binary-string.js';
import { compactAnnounceReply } from '../../../sidecar/src/tracker-server/http-handler.js';
import { compactEntry, type PeerRecord, type Swarm } from '../../../sidecar/src/tracker-server/swarm-registry.js';
import { announceReply, announceReplyFrame, relayedText } from '../../../sidecar/src/tracker-server/ws-handler.js';
import { textFrame } from '../../../sidecar/src/tracker-server/ws-socket.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6().filter((ip) => !ip.includes('.'));
const peer = (ip: string, port: number): PeerRecord<unknown> =>
  ({ key: '', kind: 'classic', peerId: '', ip, port, complete: false, lastSeen: 0, link: undefined, index: 0, compact: compactEntry(ip, port) });

describe('hand-written replies are the codecs’ bytes', () => {
  it('the compact HTTP announce reply equals encodeBencode of the same dictionary', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(ipv4, ipv6), fc.integer({ min: 1, max: 65535 })), { maxLength: 60 }), fc.nat(), fc.nat(), (list, complete, incomplete) => {
        const peers = list.map(([ip, port]) => peer(ip, port));
        const v4 = list.filter(([ip]) => !ip.includes(':')).map(([host, port]) => ({ host, port }));
        const v6 = list.filter(([ip]) => ip.includes(':')).map(([host, port]) => ({ host, port }));
        const expected = encodeBencode({
          complete, incomplete, interval: 600, 'min interval': 60,
          peers: encodeCompactPeers(v4, 'ipv4'),
          ...(v6.length > 0 ? { peers6: encodeCompactPeers(v6, 'ipv6') } : {}),
        });
        expect(Buffer.from(compactAnnounceReply(complete, incomplete, 600, 60, peers)).toString('latin1')).toBe(Buffer.from(expected).toString('latin1'));
      }),
      { numRuns: 200 },
    );
  });

  it('the WebSocket announce reply equals encodeTrackerMessage of the same reply', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(), fc.nat(), (hash, complete, incomplete) => {
        const infoHash = String.fromCharCode(...hash);
        const swarm = { infoHash, infoHashJson: JSON.stringify(infoHash), complete, incomplete } as Swarm<unknown>;
        expect(announceReply(120, swarm)).toBe(encodeTrackerMessage({ type: 'announce-reply', infoHash: binaryStringToBytes(infoHash)!, interval: 120, complete, incomplete }));
      }),
      { numRuns: 200 },
    );
  });

  it('the cached WebSocket reply frame is the frame of the current counts, remade when they change', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: 1, maxLength: 8 }), (hash, steps) => {
        const infoHash = String.fromCharCode(...hash);
        const swarm = { infoHash, infoHashJson: JSON.stringify(infoHash), complete: 0, incomplete: 0, wsReply: null } as unknown as Swarm<unknown>;
        for (const [complete, incomplete] of steps) {
          swarm.complete = complete;
          swarm.incomplete = incomplete;
          const expected = textFrame(encodeTrackerMessage({ type: 'announce-reply', infoHash: binaryStringToBytes(infoHash)!, interval: 120, complete, incomplete }));
          expect(Buffer.from(announceReplyFrame(120, swarm)).equals(expected)).toBe(true);
          expect(Buffer.from(announceReplyFrame(30, swarm)).equals(textFrame(announceReply(30, swarm)))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('relayed offers and answers equal encodeTrackerMessage of the same message', () => {
    const id = fc.uint8Array({ minLength: 20, maxLength: 20 });
    fc.assert(
      fc.property(fc.constantFrom('offer' as const, 'answer' as const), fc.string({ unit: 'binary', maxLength: 300 }), id, id, id, (type, sdp, offerId, peerId, infoHash) => {
        const s = (b: Uint8Array): string => String.fromCharCode(...b);
        expect(relayedText(type, sdp, s(offerId), s(peerId), s(infoHash))).toBe(encodeTrackerMessage({ type, sdp, offerId, peerId, infoHash }));
      }),
      { numRuns: 200 },
    );
  });

  it('textFrame writes the 16-bit and 64-bit length forms', () => {
    for (const length of [0, 125, 126, 65535, 65536]) {
      const frame = textFrame('a'.repeat(length));
      const at = length < 126 ? 2 : length < 65536 ? 4 : 10;
      expect(frame[0]).toBe(0x81);
      expect(frame.length).toBe(at + length);
      const declared = length < 126 ? frame[1] : length < 65536 ? frame.readUInt16BE(2) : frame.readUInt32BE(6) + frame.readUInt32BE(2) * 2 ** 32;
      expect([frame[1]! & 0x7f, declared]).toEqual([length < 126 ? length : length < 65536 ? 126 : 127, length]);
    }
  });
});

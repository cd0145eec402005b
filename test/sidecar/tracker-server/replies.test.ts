import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { encodeCompactPeers } from '../../../src/core/tracker/compact-peers.js';
import { encodeTrackerMessage } from '../../../src/core/tracker/ws/tracker-messages.js';
import { binaryStringToBytes } from '../../../src/core/tracker/ws/binary-string.js';
import { compactAnnounceReply } from '../../../sidecar/src/tracker-server/http-handler.js';
import { compactEntry, type PeerRecord, type Swarm } from '../../../sidecar/src/tracker-server/swarm-registry.js';
import { announceReply } from '../../../sidecar/src/tracker-server/ws-handler.js';

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
});

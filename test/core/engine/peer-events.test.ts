import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { ChokeRounds } from '../../../src/core/engine/choke-rounds.js';
import { PeerEventHandler } from '../../../src/core/engine/peer-events.js';
import { PeerInterest } from '../../../src/core/engine/peer-interest.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PexExchange } from '../../../src/core/engine/pex-exchange.js';
import { UploadQueue } from '../../../src/core/engine/upload-queue.js';
import { DEFAULT_LOCAL_EXTENSIONS } from '../../../src/core/extensions/names.js';
import { encodeMetadataMessage } from '../../../src/core/extensions/ut-metadata/codec.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { compareBytes } from '../../../src/core/util/bytes.js';
import { fetcherRig } from './fetcher-rig.js';
import { LOCAL_PEER_ID, ScriptedLink } from './scripted-link.js';

const PIECES = 4;
const PIECE_LENGTH = 32 * 1024;

/**
 * The handler over the real units it feeds (availability ledger, picker, interest, block fetcher, upload
 * queue, choke rounds, PEX); we have piece 0 of four. The test plays the peers and reads what they are sent.
 */
function harness(options: { have?: number[]; infoBytes?: Uint8Array } = {}) {
  const { have, picker, availability, links, fetcher } = fetcherRig({ pieces: PIECES, pieceLength: PIECE_LENGTH, have: options.have ?? [0] });
  const alerts: Alert[] = [];
  const dial: string[] = [];
  const uploads = new UploadQueue({ now: () => 0, storage: () => null, has: (i) => have.get(i), buckets: [], sent: () => {} });
  const interest = new PeerInterest({ picker: () => picker, have: () => have, fill: (link) => fetcher.fill(link) });
  const chokes = new ChokeRounds({ slots: 4, random: () => 0.5, links, seeding: () => picker.isComplete(), uploads });
  const pex = new PexExchange(links, () => false);
  const handler = new PeerEventHandler({
    infoHashHex: 'cd'.repeat(20),
    localPeerId: LOCAL_PEER_ID,
    now: () => 0,
    links,
    have: () => have,
    availability: () => availability,
    picker: () => picker,
    metadataFetch: () => null,
    infoBytes: () => options.infoBytes ?? null,
    interest,
    fetcher,
    uploads,
    chokes,
    pex,
    addPeers: (addresses) => dial.push(...addresses),
    emit: (alert) => alerts.push(alert),
  });
  /** A connected peer whose handshake the handler has seen. */
  const peer = (address: string, options: { peerId?: Uint8Array; outgoing?: boolean } = {}) => {
    const s = new ScriptedLink({ address, pieceCount: PIECES, pieceSize: () => PIECE_LENGTH, ...options });
    links.set(address, s.link);
    uploads.add(s.link);
    pex.add(s.link);
    handler.onPeerEvents(s.link, [s.handshake]);
    return s;
  };
  /** The peer sends `messages`; the handler gets the events its connection made of them. */
  const say = (s: ScriptedLink, ...messages: Parameters<ScriptedLink['feed']>) => handler.onPeerEvents(s.link, s.feed(...messages));
  const counted = (link: PeerLink) => {
    const p = availability.pieces(link);
    return p === null || p === 'all' ? p : [...p.indices()];
  };
  return { picker, availability, alerts, dial, peer, say, counted, links, handler };
}

const bits = (...indices: number[]) => Bitfield.fromIndices(PIECES, indices).toWire();

describe('PeerEventHandler', () => {
  it('a new peer hears what we have, and is announced', () => {
    const h = harness({ have: [0, 2] });
    const s = h.peer('10.0.0.1:1');
    expect(s.sent()).toContainEqual({ type: 'bitfield', bits: bits(0, 2) });
    expect(h.alerts).toEqual([{ type: 'peer-connected', infoHash: 'cd'.repeat(20), address: '10.0.0.1:1', client: s.handshake.clientName }]);
    const none = harness({ have: [] }).peer('10.0.0.2:1');
    expect(none.sentSummary()).toContain('have-none');
  });

  it('BITFIELD counts the peer\'s pieces and makes us interested only when it has one we lack', () => {
    const h = harness();
    const useless = h.peer('10.0.0.1:1');
    useless.sent();
    h.say(useless, { type: 'bitfield', bits: bits(0) });
    expect(h.counted(useless.link)).toEqual([0]);
    expect(useless.link.conn.amInterested).toBe(false);
    expect(h.picker.availability(0)).toBe(1);
    const useful = h.peer('10.0.0.2:1');
    useful.sent();
    h.say(useful, { type: 'bitfield', bits: bits(0, 3) });
    expect(h.counted(useful.link)).toEqual([0, 3]);
    expect(useful.sentSummary()).toEqual(['interested']);
    expect(h.picker.availability(3)).toBe(1);
  });

  it('HAVE of a piece we want makes us interested; HAVE ALL marks a seed counted once as all', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1');
    h.say(s, { type: 'have-none' });
    s.sent();
    h.say(s, { type: 'have', index: 0 });
    expect(s.link.conn.amInterested).toBe(false);
    h.say(s, { type: 'have', index: 2 });
    expect(s.sentSummary()).toEqual(['interested']);
    expect(h.counted(s.link)).toEqual([0, 2]);
    const seed = h.peer('10.0.0.2:1');
    h.say(seed, { type: 'have-all' });
    expect(seed.link.seed).toBe(true);
    expect(h.counted(seed.link)).toBe('all');
    expect(seed.link.conn.amInterested).toBe(true);
    expect(h.picker.availability(3)).toBe(1);
  });

  it('a late HAVE NONE replaces a HAVE ALL: the counts go, the peer is no seed, and interest is withdrawn', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1');
    h.say(s, { type: 'have-all' });
    s.sent();
    h.say(s, { type: 'have-none' });
    expect(s.link.seed).toBe(false);
    expect(h.counted(s.link)).toEqual([]);
    expect(h.picker.availability(3)).toBe(0);
    expect(s.sentSummary()).toEqual(['not-interested']);
  });

  it('an interested peer gets a free upload slot at once, not at the next round', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1');
    s.sent();
    h.say(s, { type: 'interested' });
    expect(s.sentSummary()).toEqual(['unchoke']);
  });

  it('unchoked by an interesting peer, we ask it for blocks of the pieces it has', () => {
    const h = harness();
    const s = h.peer('10.0.0.1:1');
    h.say(s, { type: 'bitfield', bits: bits(1) });
    s.sent();
    h.say(s, { type: 'unchoke' });
    expect(s.sentSummary()).toEqual(['request 1', 'request 1']);
  });

  it('a connection to ourselves is closed; of two connections to one peer, both sides keep the one the lower peer id opened', () => {
    const h = harness();
    // (A PeerConnection already refuses our own id; the handler is the second line.)
    const self = new ScriptedLink({ address: '10.0.0.1:1', pieceCount: PIECES, pieceSize: () => PIECE_LENGTH });
    h.links.set('10.0.0.1:1', self.link);
    h.handler.onPeerEvents(self.link, [{ ...self.handshake, peerId: LOCAL_PEER_ID }]);
    expect(self.link.closed).toBe(true);
    expect(h.alerts).toEqual([]);
    const first = h.peer('10.0.0.2:1', { outgoing: true });
    const second = h.peer('10.0.0.2:2', { peerId: first.remotePeerId, outgoing: false });
    // `first` we opened (our id), `second` the peer opened (its id).
    const weAreLower = compareBytes(LOCAL_PEER_ID, first.remotePeerId) < 0;
    expect(first.link.closed).toBe(!weAreLower);
    expect(second.link.closed).toBe(weAreLower);
  });

  it('answers ut_metadata requests with the info dictionary once we have it', () => {
    const info = new Uint8Array(100).fill(7);
    for (const [infoBytes, expected] of [[info, 'data'], [undefined, 'reject']] as const) {
      const h = harness(infoBytes ? { infoBytes } : {});
      const s = h.peer('10.0.0.1:1');
      h.say(s, { type: 'extended', id: 0, payload: new TextEncoder().encode('d1:md11:ut_metadatai3eee') });
      s.sent();
      h.say(s, { type: 'extended', id: DEFAULT_LOCAL_EXTENSIONS.ut_metadata!, payload: encodeMetadataMessage({ type: 'request', piece: 0 }) });
      const sent = s.sent();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ type: 'extended', id: 3 });
      expect(new TextDecoder().decode((sent[0] as { payload: Uint8Array }).payload)).toContain(`msg_typei${expected === 'data' ? 1 : 2}e`);
    }
  });
});

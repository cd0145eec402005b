import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { DEFAULT_LOCAL_EXTENSIONS } from '../../../src/core/extensions/names.js';
import { AvailabilityLedger } from '../../../src/core/engine/availability-ledger.js';
import { PeerBook } from '../../../src/core/engine/peer-book.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PeerLinks, type LinkMember } from '../../../src/core/engine/peer-links.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { makePeerId } from '../../../src/core/peer-id.js';
import type { PeerEvent } from '../../../src/core/peer/events.js';
import { PeerConnection } from '../../../src/core/peer/peer-connection.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import type { Transport, TransportHandlers } from '../../../src/core/ports/transport.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { makeTorrent } from '../../helpers/engine.js';
import { LINK_INFO_HASH, LOCAL_PEER_ID } from './scripted-link.js';

const PIECE = 16 * 1024;

/**
 * A remote peer: a real PeerConnection on the far end of an in-memory transport. `pump()` moves bytes both
 * ways until both sides are quiet and returns the events the remote saw.
 */
class RemotePeer {
  readonly conn: PeerConnection;
  readonly transport: Transport;
  closed = false;
  private handlers: TransportHandlers | null = null;
  private readonly toRemote: Uint8Array[] = [];

  constructor(address: string, meta: Metainfo, outgoing = true) {
    this.conn = new PeerConnection({
      infoHash: LINK_INFO_HASH,
      localPeerId: makePeerId(new TextEncoder().encode(address.padEnd(12, '.')).subarray(0, 12)),
      outgoing: !outgoing,
      localExtensions: DEFAULT_LOCAL_EXTENSIONS,
      fast: true,
      pieceCount: meta.pieceCount,
      pieceSize: (i) => pieceSize(meta, i),
      clientName: 'Remote 1.0',
      now: 0,
    });
    this.transport = {
      kind: 'tcp',
      remoteAddress: address,
      outgoing,
      attach: (h) => {
        this.handlers = h;
      },
      write: (data) => {
        this.toRemote.push(data.slice());
        return true;
      },
      close: () => {
        this.closed = true;
      },
    };
  }

  pump(): PeerEvent[] {
    const seen: PeerEvent[] = [];
    for (let round = 0; round < 20; round++) {
      const toUs = concatBytes(this.conn.takeOutgoing());
      const toThem = concatBytes(this.toRemote.splice(0));
      if (toUs.length === 0 && toThem.length === 0) break;
      if (toThem.length > 0) seen.push(...this.conn.receive(toThem, 0));
      if (toUs.length > 0) this.handlers?.data(toUs);
    }
    return seen;
  }

  hangUp(): void {
    this.handlers?.close();
  }
}

async function setup(options: { magnet?: boolean; maxConnectionsPerTorrent?: number } = {}) {
  const t = await makeTorrent([{ path: ['a.bin'], length: 4 * PIECE }], { name: 'a.bin', pieceLength: PIECE });
  const full: Metainfo = t.metainfo;
  let meta: Metainfo | null = options.magnet ? null : full;
  const links = new Map<string, PeerLink>();
  const book = new PeerBook();
  const picker = new PiecePicker({ pieceCount: full.pieceCount, pieceLength: (i) => pieceSize(full, i), random: () => 0.5, have: new Bitfield(full.pieceCount) });
  const availability = new AvailabilityLedger<PeerLink>(picker);
  const log: string[] = [];
  const alerts: Alert[] = [];
  const member = (name: string): LinkMember => ({ add: (l) => log.push(`${name}+ ${l.address}`), remove: (l) => log.push(`${name}- ${l.address}`) });
  let accepting = true;
  const peerLinks = new PeerLinks({
    links,
    infoHash: LINK_INFO_HASH,
    infoHashHex: 'ab'.repeat(20),
    localPeerId: LOCAL_PEER_ID,
    extensions: DEFAULT_LOCAL_EXTENSIONS,
    now: () => 0,
    settings: () => ({ listenPort: 6881, maxConnectionsPerTorrent: options.maxConnectionsPerTorrent ?? 50 }),
    accepting: () => accepting,
    meta: () => meta,
    book,
    members: [member('uploads'), member('pex')],
    picker: () => picker,
    availability: () => availability,
    metadataFetch: () => ({ removePeer: (l) => log.push(`metadata- ${l.address}`) }),
    events: (link, events) => {
      for (const e of events) log.push(`event ${e.type} ${link.address}`);
      // What the peer-event handler does with availability, enough for these tests.
      for (const e of events) {
        if (e.type === 'have-all') link.seed = true;
        if (e.type === 'bitfield' && meta) availability.bitfield(link, e.bitfield);
      }
    },
    drained: (link) => log.push(`drained ${link.address}`),
    fill: (link) => log.push(`fill ${link.address}`),
    updateInterest: (link) => log.push(`interest ${link.address}`),
    emit: (alert) => alerts.push(alert),
    wake: () => log.push('wake'),
  });
  return {
    full,
    links,
    book,
    picker,
    log,
    alerts,
    peerLinks,
    learnMeta: () => (meta = full),
    stopAccepting: () => (accepting = false),
  };
}

describe('PeerLinks', () => {
  it('attaches a connection: the link is known to every member and the book, and its handshake announces metadata_size', async () => {
    const { full, links, book, log, peerLinks } = await setup();
    const remote = new RemotePeer('10.0.0.1:6881', full);
    expect(peerLinks.attach(remote.transport, [])).toBe(true);
    const seen = remote.pump();
    expect([...links.keys()]).toEqual(['10.0.0.1:6881']);
    expect(log).toEqual(['uploads+ 10.0.0.1:6881', 'pex+ 10.0.0.1:6881', 'event handshake 10.0.0.1:6881', 'event extended-handshake 10.0.0.1:6881']);
    expect(book.addresses()).toEqual(['10.0.0.1:6881']);
    const ext = seen.find((e) => e.type === 'extended-handshake');
    expect(ext?.type === 'extended-handshake' && ext.handshake).toMatchObject({ metadataSize: full.infoBytes.length, port: 6881 });
  });

  it('refuses (and closes) a duplicate address, a banned one, one past the limit, and any while not accepting', async () => {
    const h = await setup({ maxConnectionsPerTorrent: 2 });
    const first = new RemotePeer('10.0.0.1:1', h.full);
    expect(h.peerLinks.attach(first.transport, [])).toBe(true);
    const twin = new RemotePeer('10.0.0.1:1', h.full);
    expect(h.peerLinks.attach(twin.transport, [])).toBe(false);
    expect(twin.closed).toBe(true);
    h.book.ban('10.0.0.2:1');
    const banned = new RemotePeer('10.0.0.2:1', h.full);
    expect(h.peerLinks.attach(banned.transport, [])).toBe(false);
    expect(banned.closed).toBe(true);
    expect(h.peerLinks.attach(new RemotePeer('10.0.0.3:1', h.full).transport, [])).toBe(true);
    const over = new RemotePeer('10.0.0.4:1', h.full);
    expect(h.peerLinks.attach(over.transport, [])).toBe(false);
    h.peerLinks.closeAll();
    h.stopAccepting();
    const late = new RemotePeer('10.0.0.5:1', h.full);
    expect(h.peerLinks.attach(late.transport, [])).toBe(false);
    expect(late.closed).toBe(true);
    expect(h.links.size).toBe(0);
  });

  it('drops a closed link everywhere: members, picker, availability, metadata fetch, book; others get its blocks; one alert', async () => {
    const { full, links, picker, log, alerts, peerLinks } = await setup();
    const a = new RemotePeer('10.0.0.1:1', full);
    const b = new RemotePeer('10.0.0.2:1', full);
    peerLinks.attach(a.transport, []);
    peerLinks.attach(b.transport, []);
    a.pump();
    b.pump();
    a.conn.sendBitfield(Bitfield.fromIndices(full.pieceCount, [0, 1, 2, 3]));
    b.conn.sendBitfield(Bitfield.fromIndices(full.pieceCount, [0, 1, 2, 3]));
    a.pump();
    b.pump();
    const [request] = picker.pick({ id: '10.0.0.1:1', has: Bitfield.fromIndices(full.pieceCount, [0, 1, 2, 3]) }, 1, 0);
    expect(request).toBeDefined();
    log.length = 0;
    a.hangUp();
    expect(links.has('10.0.0.1:1')).toBe(false);
    expect(log).toEqual(['uploads- 10.0.0.1:1', 'pex- 10.0.0.1:1', 'metadata- 10.0.0.1:1', 'fill 10.0.0.2:1', 'wake']);
    expect(alerts).toEqual([{ type: 'peer-disconnected', infoHash: 'ab'.repeat(20), address: '10.0.0.1:1', reason: null }]);
    // Its request went back to the picker, and its pieces left the availability counts.
    expect(picker.availability(request!.piece)).toBe(1);
    const [again] = picker.pick({ id: '10.0.0.2:1', has: Bitfield.fromIndices(full.pieceCount, [request!.piece]) }, 1, 0);
    expect(again).toMatchObject({ piece: request!.piece, begin: request!.begin });
    // A second close of the same link changes nothing.
    a.hangUp();
    expect(alerts).toHaveLength(1);
  });

  it('tells peers attached before a magnet had its metadata the metadata_size, in a new extended handshake', async () => {
    const { full, peerLinks, learnMeta } = await setup({ magnet: true });
    const remote = new RemotePeer('10.0.0.1:1', full);
    peerLinks.attach(remote.transport, []);
    const first = remote.pump().filter((e) => e.type === 'extended-handshake');
    expect(first).toHaveLength(1);
    expect(first[0]!.type === 'extended-handshake' && first[0]!.handshake.metadataSize).toBeUndefined();
    learnMeta();
    peerLinks.metadataKnown(full);
    const again = remote.pump();
    expect(again.map((e) => e.type)).toEqual(['extended-handshake']);
    expect(again[0]!.type === 'extended-handshake' && again[0]!.handshake.metadataSize).toBe(full.infoBytes.length);
    expect(remote.conn.peerExtensionId('ut_metadata')).toBe(DEFAULT_LOCAL_EXTENSIONS.ut_metadata);
  });

  it('once the pieces are known: availability said before the metadata is delivered and counted, and interest decided', async () => {
    const { full, picker, log, peerLinks, learnMeta } = await setup({ magnet: true });
    const seed = new RemotePeer('10.0.0.1:1', full);
    const partial = new RemotePeer('10.0.0.2:1', full);
    peerLinks.attach(seed.transport, []);
    peerLinks.attach(partial.transport, []);
    seed.pump();
    partial.pump();
    seed.conn.haveAll();
    partial.conn.sendBitfield(Bitfield.fromIndices(full.pieceCount, [2]));
    seed.pump();
    partial.pump();
    log.length = 0;
    learnMeta();
    peerLinks.piecesKnown(full);
    expect(log).toEqual(['interest 10.0.0.1:1', 'event bitfield 10.0.0.2:1', 'interest 10.0.0.2:1']);
    // Piece 2 is held by both: the HAVE ALL counts once it is known, and the bitfield's bit too.
    expect(picker.availability(2)).toBe(2);
    expect(picker.availability(0)).toBe(1);
  });
});

import { SluiceError } from '../errors.js';
import { MetadataAssembler } from '../extensions/ut-metadata/assembler.js';
import type { MetadataMessage } from '../extensions/ut-metadata/codec.js';
import { verifyMetadata, type ExpectedInfoHash } from '../extensions/ut-metadata/verify.js';
import { parseInfoDictionary } from '../metainfo/index.js';
import type { Metainfo } from '../metainfo/model.js';
import type { Hasher } from '../ports/hasher.js';
import type { PeerLink } from './peer-link.js';

/**
 * A magnet's info dictionary, fetched from the peers that offer ut_metadata (BEP 9): requests are
 * spread over them, the assembled bytes are verified against the info hash(es) and parsed before
 * anyone trusts them, and the peers behind bytes that do not verify are dropped.
 */
export class MetadataFetch {
  private readonly assembler = new MetadataAssembler<PeerLink>();
  private finished = false;

  constructor(
    private readonly hasher: Hasher,
    private readonly expected: ExpectedInfoHash,
    private readonly now: () => number,
    private readonly done: (meta: Metainfo) => void,
  ) {}

  /** The peer's extended handshake said it has the metadata and how large it is. */
  addPeer(link: PeerLink, metadataSize: number): void {
    if (this.finished) return;
    this.assembler.addPeer(link, metadataSize);
    this.request(link);
  }

  removePeer(link: PeerLink): void {
    this.assembler.removePeer(link);
  }

  /** Asks `link` for the pieces it should fetch now (also called each tick for timed-out requests). */
  request(link: PeerLink): void {
    if (this.finished || this.assembler.status !== 'collecting') return;
    for (const piece of this.assembler.nextRequests(link, this.now())) link.conn.sendMetadata({ type: 'request', piece });
    link.flush();
  }

  /** A `data` or `reject` message (requests are answered by the torrent, which has the bytes or not). */
  receive(link: PeerLink, m: MetadataMessage): void {
    if (this.finished || m.type === 'request') return;
    if (m.type === 'reject') {
      this.assembler.onReject(link, m.piece, this.now());
      return;
    }
    const complete = this.assembler.onData(link, m.piece, m.totalSize, m.data);
    if (complete) void this.check(complete);
    else this.request(link);
  }

  private async check(infoBytes: Uint8Array): Promise<void> {
    let meta: Metainfo | null = null;
    if (await verifyMetadata(this.hasher, infoBytes, this.expected)) {
      meta = await parseInfoDictionary(infoBytes, this.hasher).catch(() => null);
    }
    if (!meta) {
      for (const bad of this.assembler.verificationFailed()) bad.close(new SluiceError('peer/bad-metadata', 'sent metadata that does not match the info hash'));
      return;
    }
    this.assembler.verified();
    this.finished = true;
    this.done(meta);
  }
}

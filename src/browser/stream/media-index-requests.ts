import type { Metainfo } from '../../core/metainfo/model.js';
import { contentTypeFor } from '../../core/stream/http-range.js';
import { mp4IndexLocation, type Mp4IndexLocation } from '../../core/stream/mp4-index.js';
import { indexDeadlines, STARTUP_LEAD_MS, tailDeadlines } from '../../core/stream/stream-deadlines.js';
import type { StreamableTorrent } from './stream-responder.js';

/** Bytes read from an MP4's start to find its index: the boxes before `mdat` (ftyp, free, a faststart moov's header) fit. */
export const HEAD_PROBE_BYTES = 64 * 1024;
/**
 * Up to this piece length the last piece of an MP4 is fetched before its head says where the index is:
 * a moov written last ends there, so it costs a player nothing to wait for, and a faststart file wastes
 * at most this much. Larger pieces wait for the head (one piece's round trip later).
 */
const SPECULATIVE_LAST_PIECE_MAX = 512 * 1024;

/** ISO base media files (MP4, QuickTime, 3GP): their index's place can be read from their first bytes. */
function isIsoMedia(name: string): boolean {
  const type = contentTypeFor(name);
  return type === 'video/mp4' || type === 'video/quicktime' || type === 'audio/mp4' || type === 'video/3gpp';
}

/**
 * A video's index, fetched early: no frame plays before the player has read it. For an MP4 the file's
 * first bytes say exactly where it is (mp4-index.ts): after the media data (ffmpeg's default; those
 * pieces get deadlines from the end backward) or at the front (nothing more to fetch). Other formats
 * (Matroska's cues, WebM) get the tail's deadlines, as before the head is read.
 */
export class MediaIndexRequests {
  /** `<infohash>/<file index>` of the files whose index was asked for already. */
  private readonly asked = new Set<string>();

  ask(infoHash: string, torrent: StreamableTorrent, meta: Metainfo, fileIndex: number, stepMs: number): void {
    const key = `${infoHash}/${fileIndex}`;
    if (this.asked.has(key)) return;
    this.asked.add(key);
    // The index holds its pieces as a reader does: a player's read of the moov, cancelled before it arrives, keeps them due.
    const holder = {};
    const setDeadlines = (deadlines: readonly { piece: number; deadline: number }[]) => {
      for (const { piece, deadline } of deadlines) if (!torrent.hasPiece(piece)) torrent.holdPieceDeadline(piece, holder, deadline);
    };
    const file = meta.files[fileIndex];
    if (!file) return;
    const name = file.path[file.path.length - 1] ?? '';
    // The index is read before the first frame: its pieces are startup pieces, due as early as the head's.
    const due = () => torrent.now() - STARTUP_LEAD_MS;
    const tail = tailDeadlines(meta, fileIndex, due(), stepMs);
    if (!isIsoMedia(name)) return setDeadlines(tail);
    if (meta.pieceLength <= SPECULATIVE_LAST_PIECE_MAX) setDeadlines(tail.slice(-1));
    void this.locate(torrent, fileIndex, file.length).then(
      (where) => {
        if (where.kind === 'after') setDeadlines(indexDeadlines(meta, fileIndex, where.start, due(), stepMs));
        else if (where.kind === 'unknown') setDeadlines(tailDeadlines(meta, fileIndex, due(), stepMs));
      },
      // The torrent was removed, or its storage failed: the stream that asked reports that itself.
      () => {},
    );
  }

  private async locate(torrent: StreamableTorrent, fileIndex: number, length: number): Promise<Mp4IndexLocation> {
    const head = new Uint8Array(Math.min(length, HEAD_PROBE_BYTES));
    let at = 0;
    // The player's own first read asks for the same first piece, as a startup piece: this one must not make it due later.
    const startup = { pieces: 1, leadMs: STARTUP_LEAD_MS };
    for await (const chunk of torrent.readStream(fileIndex, { start: 0, end: head.length, readAhead: 0, startup })) {
      head.set(chunk, at);
      at += chunk.length;
    }
    return mp4IndexLocation(head, length);
  }
}

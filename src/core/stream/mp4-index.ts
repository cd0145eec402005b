/**
 * Where an MP4's index (its `moov` box) is, read from the file's first bytes. A player reads the
 * index before it shows a frame: ffmpeg writes it after the media data (`mdat`) unless told
 * `-movflags +faststart`, which puts it first. The top-level boxes before `mdat` are small and sit in
 * the file's first piece, and `mdat`'s header gives its size, so the first piece says exactly which
 * bytes the player will ask for next: none beyond the head (index first), or from the end of `mdat`
 * to the end of the file. Fetching a fixed share of the file's tail instead costs megabytes a
 * faststart file never reads, and reads a long moov-at-end index only in part.
 */
export type Mp4IndexLocation =
  /** The index (or a fragmented file's first fragment) comes before the media data: nothing at the end is needed early. */
  | { readonly kind: 'front' }
  /** The index is in `[start, fileLength)`: everything after the media data. */
  | { readonly kind: 'after'; readonly start: number }
  /** Not an MP4 we can read from these bytes (too few of them, or not ISO base media boxes). */
  | { readonly kind: 'unknown' };

/** Top-level boxes walked at most: real files have 2-4 before `mdat` (ftyp, free, wide, moov). */
const MAX_BOXES = 64;
const UNKNOWN: Mp4IndexLocation = { kind: 'unknown' };
/** Boxes a file may open with: `ftyp` (or a segment's `styp`), or, in older QuickTime files without one, these. */
const FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/** The index's location from `head` (the file's first bytes) of an MP4 `fileLength` bytes long. Never throws. */
export function mp4IndexLocation(head: Uint8Array, fileLength: number): Mp4IndexLocation {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let at = 0;
  for (let n = 0; n < MAX_BOXES; n++) {
    if (at + 8 > head.length || at + 8 > fileLength) return UNKNOWN;
    const type = boxType(head, at + 4);
    if (type === null) return UNKNOWN;
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > head.length) return UNKNOWN;
      size = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12);
      header = 16;
    } else if (size === 0) {
      // The box runs to the end of the file: nothing can follow it.
      size = fileLength - at;
    }
    if (size < header || at + size > fileLength) return UNKNOWN;
    if (n === 0 && !FIRST_BOXES.has(type)) return UNKNOWN;
    if (type === 'moov' || type === 'moof') return { kind: 'front' };
    if (type === 'mdat') return at + size < fileLength ? { kind: 'after', start: at + size } : UNKNOWN;
    at += size;
  }
  return UNKNOWN;
}

/** The four printable ASCII characters of a box type at `at`, or null when they are not a box type. */
function boxType(bytes: Uint8Array, at: number): string | null {
  let type = '';
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i]!;
    if (c < 0x20 || c > 0x7e) return null;
    type += String.fromCharCode(c);
  }
  return type;
}

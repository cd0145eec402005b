/**
 * HTTP Range planning for `/stream/<infohash>/<file>/<name>` (RFC 9110 §14): which bytes of a file a
 * request gets, and the status and headers that say so. Pure, shared by the service worker and
 * `sluice serve`, so both answer a player exactly alike.
 *
 * Tolerant where players differ (several ranges: the first satisfiable one is served, as most
 * servers do for media; Safari's `bytes=0-1` probe is an ordinary range), strict where it protects
 * the reader: no byte outside the file, and a header longer than any player sends is ignored.
 */

/** Longer Range headers are not from a media element; they are answered with the whole file. */
const MAX_RANGE_HEADER = 1024;

export type RangePlan =
  /** No usable Range header: 200 with the whole file. */
  | { readonly kind: 'full'; readonly start: 0; readonly end: number }
  /** 206 with bytes [start, end) of the file. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** 416: no requested range overlaps the file. */
  | { readonly kind: 'unsatisfiable' };

/**
 * The plan for a request with `header` (the Range header's value, or null) on a file of `size`
 * bytes. `end` is exclusive. A header that is not a byte-range set is ignored, as RFC 9110 allows.
 */
export function planRange(header: string | null | undefined, size: number): RangePlan {
  const full: RangePlan = { kind: 'full', start: 0, end: size };
  if (header === null || header === undefined || header.length > MAX_RANGE_HEADER) return full;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return full;
  const specs = m[1]!.split(',');
  let sawValidSpec = false;
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue;
    const parsed = parseSpec(spec, size);
    if (parsed === 'invalid') return full;
    sawValidSpec = true;
    if (parsed !== null) return { kind: 'partial', start: parsed.start, end: parsed.end };
  }
  return sawValidSpec ? { kind: 'unsatisfiable' } : full;
}

/** One `first-last`, `first-` or `-suffix` spec: the bytes it covers, null when none, 'invalid' when malformed. */
function parseSpec(spec: string, size: number): { start: number; end: number } | null | 'invalid' {
  const m = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
  if (!m) return 'invalid';
  const [, firstText = '', lastText = ''] = m;
  if (firstText === '' && lastText === '') return 'invalid';
  if (firstText.length > 16 || lastText.length > 16) return 'invalid';
  if (firstText === '') {
    const suffix = Number(lastText);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size };
  }
  const first = Number(firstText);
  if (lastText !== '') {
    const last = Number(lastText);
    if (last < first) return 'invalid';
    if (first >= size) return null;
    return { start: first, end: Math.min(last, size - 1) + 1 };
  }
  if (first >= size) return null;
  return { start: first, end: size };
}

export interface RangeResponseHead {
  readonly status: 200 | 206 | 416;
  readonly headers: Readonly<Record<string, string>>;
}

/** Status and headers for `plan` on a file of `size` bytes whose name is `fileName`. */
export function rangeResponseHead(plan: RangePlan, size: number, fileName: string): RangeResponseHead {
  const common = { 'Accept-Ranges': 'bytes', 'Content-Type': contentTypeFor(fileName), 'Cache-Control': 'no-store' };
  switch (plan.kind) {
    case 'full':
      return { status: 200, headers: { ...common, 'Content-Length': String(size) } };
    case 'partial':
      return {
        status: 206,
        headers: { ...common, 'Content-Length': String(plan.end - plan.start), 'Content-Range': `bytes ${plan.start}-${plan.end - 1}/${size}` },
      };
    case 'unsatisfiable':
      return { status: 416, headers: { ...common, 'Content-Length': '0', 'Content-Range': `bytes */${size}` } };
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska',
  ogv: 'video/ogg', avi: 'video/x-msvideo', ts: 'video/mp2t', m3u8: 'application/vnd.apple.mpegurl',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg',
  flac: 'audio/flac', wav: 'audio/wav', weba: 'audio/webm',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
  svg: 'image/svg+xml', bmp: 'image/bmp', ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8', md: 'text/markdown; charset=utf-8', srt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8', html: 'text/plain; charset=utf-8', htm: 'text/plain; charset=utf-8',
  json: 'application/json', pdf: 'application/pdf', zip: 'application/zip', epub: 'application/epub+zip',
};

/**
 * The Content-Type for a file name, by extension; `application/octet-stream` when unknown. HTML is
 * served as plain text: a torrent's page must never run as the app's origin.
 */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0 || dot === fileName.length - 1) return 'application/octet-stream';
  return CONTENT_TYPES[fileName.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether a browser can play the file in a media element (by its Content-Type). */
export function mediaKind(fileName: string): 'video' | 'audio' | 'image' | null {
  const type = contentTypeFor(fileName);
  if (type.startsWith('video/') && type !== 'video/x-msvideo' && type !== 'video/mp2t') return 'video';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('image/')) return 'image';
  return null;
}

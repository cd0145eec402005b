import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session } from '../../../src/core/engine/session.js';
import { planRange, rangeResponseHead } from '../../../src/core/stream/http-range.js';
import { readAheadFor } from '../../../src/core/stream/stream-deadlines.js';
import { fileIndexOfNumber, parseStreamPath, STREAM_PREFIX } from '../../../src/core/stream/stream-path.js';
import { checkBridgeRequest, type BridgeAccess } from './access.js';

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/** Waits until `res` may take more bytes, or the client is gone (then false). */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * `sluice serve`'s own `GET|HEAD /stream/<infohash>/<n>/<name>`: a file of the sidecar's Session,
 * answered exactly as the app's Service Worker answers its own (the same pure planRange and
 * rangeResponseHead), the body one `Torrent.readStream` over the planned range with the player's
 * deadlines, aborted when the client goes away. Held to the bridge's access rules (token, origin); the
 * token given picks the Session.
 */
export function answerSidecarStream(req: IncomingMessage, res: ServerResponse, access: BridgeAccess, sessionOf: (index: number) => Session): boolean {
  const url = req.url ?? '';
  const path = url.split('?')[0]!;
  if (!path.startsWith(STREAM_PREFIX)) return false;
  const origin = req.headers.origin;
  const verdict = checkBridgeRequest(url, origin, access);
  if (!verdict.ok) {
    plain(res, verdict.status, verdict.reason);
    return true;
  }
  // A page of an allowed origin may read the bytes with fetch (a <video> sends no Origin).
  const cors: Record<string, string> = origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges', Vary: 'Origin' } : {};
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'only GET and HEAD', { Allow: 'GET, HEAD', ...cors });
    return true;
  }
  const target = parseStreamPath(path);
  if (!target) {
    plain(res, 404, 'not a stream address: /stream/<info hash>/<file number>/<name>', cors);
    return true;
  }
  // Only the Session of the token given: another token's torrent is as unknown as one nobody has.
  const torrent = sessionOf(verdict.session).torrent(target.infoHash);
  const meta = torrent?.metainfo;
  if (!torrent || !meta) {
    plain(res, torrent ? 503 : 404, torrent ? `torrent ${target.infoHash} has no metadata yet` : `the sidecar has no torrent ${target.infoHash}`, torrent ? { 'Retry-After': '5', ...cors } : cors);
    return true;
  }
  const fileIndex = fileIndexOfNumber(meta, target.fileNumber);
  if (fileIndex === null) {
    plain(res, 404, `torrent ${target.infoHash} has no file ${target.fileNumber}`, cors);
    return true;
  }
  const file = meta.files[fileIndex]!;
  const name = file.path[file.path.length - 1] ?? '';
  const plan = planRange(req.headers.range, file.length);
  const head = rangeResponseHead(plan, file.length, name);
  const download = new URL(url, 'http://sidecar.invalid').searchParams.has('download');
  res.writeHead(head.status, {
    ...head.headers,
    ...cors,
    ...(download ? { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}` } : {}),
  });
  if (plan.kind === 'unsatisfiable' || req.method === 'HEAD' || plan.end === plan.start) {
    res.end();
    return true;
  }
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  void (async () => {
    try {
      for await (const chunk of torrent.readStream(fileIndex, { start: plan.start, end: plan.end, ...readAheadFor(meta.pieceLength), signal: abort.signal })) {
        if (!res.write(chunk) && !(await drained(res))) return;
      }
      res.end();
    } catch {
      // Cancelled (the client left) or the torrent was removed: a body cut short is all a client can be told now.
      res.destroy();
    }
  })();
  return true;
}

import type { HttpBodyReader, HttpResponse } from '../ports/http.js';
import type { AbortLatch } from './abort-latch.js';
import { parseContentRange, parseRetryAfter } from './content-range.js';
import { WebSeedError } from './errors.js';
import type { RangeRequest } from './plan.js';

/** URLs in messages are cut here so a message stays one readable line. */
const URL_IN_MESSAGE = 120;

export function shortUrl(url: string): string {
  return url.length <= URL_IN_MESSAGE ? url : `${url.slice(0, URL_IN_MESSAGE)}...`;
}

function cancelQuietly(reader: HttpBodyReader): void {
  try {
    reader.cancel().catch(() => {});
  } catch {
    // Already released: nothing to do.
  }
}

function discard(response: HttpResponse): void {
  try {
    if (response.body) cancelQuietly(response.body.getReader());
  } catch {
    // Already locked or gone: nothing to release.
  }
}

/** Checks status and headers against what `request` asked for; throws the typed error otherwise. */
function checkHead(response: HttpResponse, request: RangeRequest): void {
  const where = `${shortUrl(request.url)} bytes ${request.first}-${request.last}`;
  if (response.status === 206) {
    // A browser hides Content-Range unless the server exposes it (CORS); the length check and the piece
    // hash still hold then. One that is readable must name exactly our bytes of a file of our size.
    const header = response.headers.get('content-range');
    if (header !== null) {
      const range = parseContentRange(header);
      if (!range || range.first !== request.first || range.last !== request.last) {
        throw new WebSeedError('webseed/bad-range', `web seed answered Content-Range "${header.slice(0, 60)}" for ${where}`);
      }
      if (range.total !== null && range.total !== request.fileLength) {
        throw new WebSeedError('webseed/bad-range', `web seed's file is ${range.total} bytes, the torrent says ${request.fileLength}: ${shortUrl(request.url)}`);
      }
    }
  } else if (response.status === 200) {
    if (request.first !== 0 || request.length !== request.fileLength) {
      throw new WebSeedError('webseed/range-ignored', `web seed ignored Range and sent the whole file: ${where}`);
    }
  } else {
    const retryAfterMs = response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : null;
    throw new WebSeedError('webseed/http-status', `web seed answered ${response.status} for ${where}`, {
      status: response.status,
      ...(retryAfterMs !== null ? { retryAfterMs } : {}),
    });
  }
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\s*\d{1,16}\s*$/.test(declared)) {
    const n = Number(declared);
    if (n > request.length) throw new WebSeedError('webseed/long-body', `web seed declared ${n} bytes for the ${request.length} asked: ${where}`);
    if (n < request.length) throw new WebSeedError('webseed/short-body', `web seed declared ${n} bytes for the ${request.length} asked: ${where}`);
  }
}

async function readStream(reader: HttpBodyReader, request: RangeRequest, target: Uint8Array, latch: AbortLatch, onBytes: (n: number) => void): Promise<void> {
  const where = `${shortUrl(request.url)} bytes ${request.first}-${request.last}`;
  let received = 0;
  for (;;) {
    const { done, value } = await latch.race(reader.read());
    if (done) break;
    if (!value || value.length === 0) continue;
    if (received + value.length > target.length) {
      throw new WebSeedError('webseed/long-body', `web seed sent more than the ${request.length} bytes asked: ${where}`);
    }
    target.set(value, received);
    received += value.length;
    onBytes(value.length);
  }
  if (received < target.length) {
    throw new WebSeedError('webseed/short-body', `web seed sent ${received} of the ${request.length} bytes asked: ${where}`);
  }
}

/**
 * Validates `response` as the answer to `request` and copies its body into `target` (exactly
 * `request.length` bytes). Never reads past `request.length` bytes of a streamed body: a server that
 * ignores Range on a large file costs one buffer of read-ahead, not the file. On any failure the body
 * is cancelled so the connection is released.
 */
export async function receiveRange(
  response: HttpResponse,
  request: RangeRequest,
  target: Uint8Array,
  latch: AbortLatch,
  onBytes: (n: number) => void,
): Promise<void> {
  try {
    checkHead(response, request);
  } catch (error) {
    discard(response);
    throw error;
  }
  const body = response.body;
  if (body) {
    const reader = body.getReader();
    try {
      await readStream(reader, request, target, latch, onBytes);
    } catch (error) {
      cancelQuietly(reader);
      throw error;
    }
    return;
  }
  // No stream to stop early: only an implementation that buffers anyway ends up here.
  const bytes = new Uint8Array(await latch.race(response.arrayBuffer()));
  const where = `${shortUrl(request.url)} bytes ${request.first}-${request.last}`;
  if (bytes.length > target.length) throw new WebSeedError('webseed/long-body', `web seed sent ${bytes.length} bytes for the ${request.length} asked: ${where}`);
  if (bytes.length < target.length) throw new WebSeedError('webseed/short-body', `web seed sent ${bytes.length} of the ${request.length} bytes asked: ${where}`);
  target.set(bytes);
  onBytes(bytes.length);
}

// A static file server on 127.0.0.1 with single-range support (what web seeds are), plus switchable
// misbehaviours, and a log of every request it saw.
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join, sep } from 'node:path';

export type Misbehaviour =
  | 'none'
  /** 200 and the whole file, whatever the Range. */
  | 'ignore-range'
  /** 206 with the bytes one further on than asked, and a Content-Range saying so. */
  | 'wrong-range'
  /** 206 with the right bytes but a Content-Range total one byte larger than the file. */
  | 'wrong-total'
  | 'status-500'
  /** 206, right headers but no Content-Length, and the body 100 bytes short. */
  | 'short-body'
  /** 206, right headers but no Content-Length, and 100 bytes too many. */
  | 'long-body'
  /** 206, everything right except one flipped byte. */
  | 'corrupt'
  /** 206, right headers, half the body, then silence. */
  | 'stall';

export interface SeenRequest {
  readonly path: string;
  readonly range: string | undefined;
}

export interface RangeServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  mode: Misbehaviour;
  /** Responses whose connection closed before they finished (e.g. the client aborted). */
  readonly abandoned: number;
  close(): Promise<void>;
}

async function readRange(file: string, first: number, last: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const out = Buffer.alloc(last - first + 1);
    await handle.read(out, 0, out.length, first);
    return out;
  } finally {
    await handle.close();
  }
}

export interface RangeServerOptions {
  /** Answer cross-origin requests as a web seed must for a browser: CORS on every response, Range allowed, Content-Range readable. */
  readonly cors?: boolean;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-range, content-length, accept-ranges',
};

export async function startRangeServer(root: string, options: RangeServerOptions = {}): Promise<RangeServer> {
  const sockets = new Set<net.Socket>();
  const state = { mode: 'none' as Misbehaviour, abandoned: 0 };
  const requests: SeenRequest[] = [];

  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (options.cors) {
        for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
        if (req.method === 'OPTIONS') {
          res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'range', 'access-control-max-age': '600' }).end();
          return;
        }
      }
      requests.push({ path, range: req.headers.range });
      res.on('close', () => {
        if (!res.writableFinished) state.abandoned++;
      });
      let parts: string[];
      try {
        parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const file = join(root, ...parts);
      const stat = parts.includes('..') || !file.startsWith(root + sep) ? null : await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const size = stat.size;
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (state.mode === 'status-500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        return;
      }
      if (!m || state.mode === 'ignore-range') {
        res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
        createReadStream(file).pipe(res);
        return;
      }
      const first = Number(m[1]);
      const last = Math.min(m[2] === '' ? size - 1 : Number(m[2]), size - 1);
      if (first > last) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      const shift = state.mode === 'wrong-range' && last + 1 < size ? 1 : 0;
      const body = await readRange(file, first + shift, last + shift);
      const headers: http.OutgoingHttpHeaders = {
        'content-range': `bytes ${first + shift}-${last + shift}/${state.mode === 'wrong-total' ? size + 1 : size}`,
        'accept-ranges': 'bytes',
      };
      switch (state.mode) {
        case 'short-body':
          res.writeHead(206, headers).end(body.subarray(0, Math.max(0, body.length - 100)));
          return;
        case 'long-body':
          res.writeHead(206, headers).end(Buffer.concat([body, Buffer.alloc(100, 7)]));
          return;
        case 'stall':
          res.writeHead(206, { ...headers, 'content-length': body.length });
          res.write(body.subarray(0, body.length >> 1));
          return;
        case 'corrupt':
          body[body.length >> 1]! ^= 1;
          break;
        default:
          break;
      }
      res.writeHead(206, { ...headers, 'content-length': body.length }).end(body);
    })().catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(m: Misbehaviour) {
      state.mode = m;
    },
    get abandoned() {
      return state.abandoned;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

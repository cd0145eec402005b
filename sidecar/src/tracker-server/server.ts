// `startTrackerServer`: HTTP announce/scrape, WebSocket signalling and /stats, /metrics on one TCP port,
// and UDP (BEP 15) on the same port number.
import dgram from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { serveHttpConnection } from './http-connection.js';
import type { TrackerStats } from './metrics.js';
import { TrackerService, type TrackerServiceOptions } from './service.js';

export interface TrackerServerOptions extends TrackerServiceOptions {
  /** 0 (the default) picks a free port for both TCP and UDP. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serve UDP announces too (default true). */
  readonly udp?: boolean;
}

export interface RunningTrackerServer {
  readonly port: number;
  readonly host: string;
  readonly urls: { readonly http: string; readonly ws: string; readonly udp: string | null };
  readonly service: TrackerService;
  stats(): TrackerStats;
  close(): Promise<void>;
}

function listenTcp(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function bindUdp(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function closeTcp(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startTrackerServer(options: TrackerServerOptions = {}): Promise<RunningTrackerServer> {
  const host = options.host ?? '127.0.0.1';
  const service = new TrackerService(options);
  const sockets = new Set<Socket>();
  // Our own HTTP/1.1 reader on plain TCP (http-connection.ts): node:http costs more per announce than
  // the announce itself. TrackerService.handleHttp still serves node:http servers (`sluice serve`).
  const perAddress = new Map<string, number>();
  const http = createServer((socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const open = (perAddress.get(address) ?? 0) + 1;
    if (open > service.limits.maxConnectionsPerAddress) {
      service.counters.reject('too-many-connections');
      socket.destroy();
      return;
    }
    perAddress.set(address, open);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    serveHttpConnection(service, socket);
  });
  http.maxConnections = service.limits.maxHttpConnections;

  let udp: dgram.Socket | null = null;
  let port = 0;
  // With port 0 the TCP port is chosen first; if UDP cannot have the same number, try another.
  for (let attempt = 0; ; attempt++) {
    port = await listenTcp(http, options.port ?? 0, host);
    if (options.udp === false) break;
    udp = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    try {
      await bindUdp(udp, port, host);
      break;
    } catch (error) {
      udp.close();
      udp = null;
      await closeTcp(http);
      if ((options.port ?? 0) !== 0 || attempt >= 10) throw error;
    }
  }
  if (udp) {
    const socket = udp;
    socket.on('message', (message, remote) => {
      try {
        const reply = service.handleUdp(new Uint8Array(message.buffer, message.byteOffset, message.length), remote.address);
        if (reply) socket.send(reply, remote.port, remote.address);
      } catch {
        service.counters.reject('udp-internal');
      }
    });
    socket.on('error', () => {});
  }

  const sweeper = setInterval(() => service.sweep(), service.limits.sweepIntervalMs);
  sweeper.unref();
  const shownHost = isIPv6(host) ? `[${host}]` : host;
  let closed: Promise<void> | null = null;
  return {
    port,
    host,
    urls: { http: `http://${shownHost}:${port}/announce`, ws: `ws://${shownHost}:${port}`, udp: udp ? `udp://${shownHost}:${port}` : null },
    service,
    stats: () => service.stats(),
    close: () => {
      closed ??= (async () => {
        clearInterval(sweeper);
        service.close();
        const done = closeTcp(http);
        for (const socket of sockets) socket.destroy();
        await done;
        if (udp) await new Promise<void>((resolve) => udp!.close(() => resolve()));
      })();
      return closed;
    },
  };
}

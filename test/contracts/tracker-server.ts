// A real bittorrent-tracker server on loopback for the tracker contract tests.
import type { AddressInfo } from 'node:net';
import { Server } from 'bittorrent-tracker';

export interface RunningTracker {
  /** http://127.0.0.1:<port>/announce */
  readonly httpUrl: string;
  /** udp://127.0.0.1:<port> */
  readonly udpUrl: string;
  /** udp://[::1]:<port> */
  readonly udp6Url: string;
  /** The interval the tracker hands out, in seconds. */
  readonly intervalSeconds: number;
  close(): Promise<void>;
}

/** The first byte of an info hash the tracker refuses, and the reason it gives. */
export const REFUSED_FIRST_BYTE = 0xff;
export const REFUSAL_REASON = 'info hash is not allowed on this tracker';

export async function startTracker(options: { http?: string } = {}): Promise<RunningTracker> {
  const server = new Server({
    http: true,
    udp: true,
    ws: false,
    stats: false,
    interval: 600_000,
    filter: (infoHash, _params, callback) => {
      callback(infoHash.startsWith(REFUSED_FIRST_BYTE.toString(16)) ? new Error(REFUSAL_REASON) : null);
    },
  });
  const httpHost = options.http ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ http: 0, udp: 0 }, { http: httpHost, udp: '127.0.0.1', udp6: '::1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The server reports a client's bad request as a 'warning'; without a listener EventEmitter ignores it.
  server.on('warning', () => {});
  const httpPort = (server.http!.address() as AddressInfo).port;
  const udpPort = server.udp4!.address().port;
  const udp6Port = server.udp6!.address().port;
  const bracketed = httpHost.includes(':') ? `[${httpHost}]` : httpHost;
  return {
    httpUrl: `http://${bracketed}:${httpPort}/announce`,
    udpUrl: `udp://127.0.0.1:${udpPort}`,
    udp6Url: `udp://[::1]:${udp6Port}`,
    intervalSeconds: 600,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

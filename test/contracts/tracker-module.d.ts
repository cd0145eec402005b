// The part of npm `bittorrent-tracker` (no bundled types) that the tracker contract tests use.
declare module 'bittorrent-tracker' {
  import type { Socket } from 'node:dgram';
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';

  export interface ServerOptions {
    http?: boolean;
    udp?: boolean;
    ws?: boolean;
    stats?: boolean;
    /** Milliseconds; replies carry it in seconds. */
    interval?: number;
    /** `infoHash` is hex; calling back with an Error refuses the announce with its message. */
    filter?: (infoHash: string, params: unknown, callback: (error?: Error | null) => void) => void;
  }

  export class Server extends EventEmitter {
    constructor(options?: ServerOptions);
    http: HttpServer | null;
    udp4: Socket | null;
    udp6: Socket | null;
    listen(
      port: number | { http?: number; udp?: number },
      hostname?: string | { http?: string; udp?: string; udp6?: string },
      onListening?: () => void,
    ): void;
    close(callback?: () => void): void;
  }
}

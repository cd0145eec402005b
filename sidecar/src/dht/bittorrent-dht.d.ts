// The part of bittorrent-dht's API (v11) the sidecar uses; the package ships no types.
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  export interface DhtOptions {
    bootstrap?: string[] | false;
    host?: string | false;
    nodeId?: Buffer | string;
    concurrency?: number;
    timeBucketOutdated?: number;
  }
  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    listen(port?: number, address?: string, onListening?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: { host: string; port: number }): void;
    lookup(infoHash: Buffer | string, cb?: (err: Error | null, nodesFound: number) => void): () => void;
    announce(infoHash: Buffer | string, port?: number, cb?: (err: Error | null) => void): void;
    toJSON(): { nodes: { host: string; port: number }[]; values: unknown };
    destroy(cb?: () => void): void;
    readonly nodeId: Buffer;
  }
}

import { createTorrent } from '../../src/core/create/index.js';
import type { Session } from '../../src/core/engine/session.js';
import { Session as EngineSession, type SessionDeps } from '../../src/core/engine/session.js';
import { pieceSize } from '../../src/core/metainfo/layout.js';
import { parseMetainfo } from '../../src/core/metainfo/index.js';
import type { Metainfo } from '../../src/core/metainfo/model.js';
import type { RandomSource } from '../../src/core/ports/environment.js';
import type { StorageFactory, TorrentStorage } from '../../src/core/ports/storage.js';
import type { Transport, TransportDialer } from '../../src/core/ports/transport.js';
import { memoryStorage } from '../../src/core/storage/memory-store.js';
import { memoryTransportPair } from '../../src/core/transport/memory.js';
import { nodeHasher } from '../../sidecar/src/hash/node-hasher.js';

/** Deterministic content: xorshift32 seeded per file. */
export function content(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 255;
  }
  return out;
}

export interface TestTorrent {
  readonly bytes: Uint8Array;
  readonly metainfo: Metainfo;
  readonly files: readonly Uint8Array[];
  /** Piece space with the file contents in place (padding and gaps zero). */
  readonly space: Uint8Array;
}

export async function makeTorrent(
  files: readonly { path: string[]; length: number; /** The file's bytes (`length` of them); made up when absent. */ data?: Uint8Array }[],
  options: { name?: string; pieceLength?: number; hybrid?: boolean; private?: boolean; urlList?: readonly string[] } = {},
): Promise<TestTorrent> {
  const data = files.map((f, i) => f.data ?? content(i + 11, f.length));
  const created = await createTorrent(
    {
      name: options.name ?? 'test',
      files: files.map(({ path, length }) => ({ path, length })),
      singleFile: files.length === 1 && files[0]!.path.length === 1 && options.name === files[0]!.path[0],
      ...(options.pieceLength ? { pieceLength: options.pieceLength } : {}),
      ...(options.hybrid ? { hybrid: true } : {}),
      ...(options.private ? { private: true } : {}),
      ...(options.urlList ? { urlList: options.urlList } : {}),
    },
    { read: async (i, offset, length) => data[i]!.subarray(offset, offset + length) },
    nodeHasher,
  );
  const metainfo = await parseMetainfo(created.torrent, nodeHasher);
  const space = new Uint8Array(metainfo.pieceSpaceLength);
  // The creator orders files its own way; place each by path.
  const byPath = new Map(files.map((f, i) => [f.path.join('/'), data[i]!]));
  for (const f of metainfo.files) {
    if (f.padding || f.length === 0) continue;
    space.set(byPath.get(f.path.join('/'))!, f.offset);
  }
  return { bytes: created.torrent, metainfo, files: data, space };
}

export function pieceOf(t: TestTorrent, index: number): Uint8Array {
  const start = index * t.metainfo.pieceLength;
  return t.space.slice(start, start + pieceSize(t.metainfo, index));
}

/** A store factory whose stores start with every piece of `t` (a seeder's disk), optionally corrupting reads. */
export function seededStorage(t: TestTorrent, options: { corrupt?: boolean } = {}): StorageFactory & { stores: TorrentStorage[] } {
  const stores: TorrentStorage[] = [];
  return {
    stores,
    async open(layout, opts) {
      const store = await memoryStorage.open(layout, opts);
      for (let i = 0; i < t.metainfo.pieceCount; i++) await store.writePiece(i, pieceOf(t, i));
      stores.push(store);
      if (!options.corrupt) return store;
      return {
        ...store,
        writePiece: store.writePiece.bind(store),
        readPiece: store.readPiece.bind(store),
        setFileWanted: store.setFileWanted.bind(store),
        fileStates: store.fileStates.bind(store),
        flush: store.flush.bind(store),
        close: store.close.bind(store),
        deleteData: store.deleteData.bind(store),
        async read(index, begin, length) {
          const bytes = await store.read(index, begin, length);
          for (let i = 0; i < bytes.length; i += 97) bytes[i]! ^= 0x5a;
          return bytes;
        },
      };
    },
  };
}

/** A store factory that remembers the stores it opened, so a test can read what was downloaded. */
export function recordingStorage(): StorageFactory & { stores: TorrentStorage[] } {
  const stores: TorrentStorage[] = [];
  return {
    stores,
    async open(layout, opts) {
      const store = await memoryStorage.open(layout, opts);
      stores.push(store);
      return store;
    },
  };
}

/** Seeded random numbers so a simulated swarm behaves the same on every run. */
export function seededRandom(seed: number): RandomSource {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 255),
    float: () => next() / 2 ** 32,
  };
}

/**
 * Sessions on a virtual clock, joined by in-memory transports: `host:port` addresses dial the
 * session registered under that name. Time only moves when `run` advances it.
 */
export class SimNet {
  now = 1_000_000;
  private connections = 0;
  private readonly sessions = new Map<string, Session>();
  readonly clock = { now: () => this.now };

  session(name: string, deps: Partial<SessionDeps> & { storage: StorageFactory }, seed = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7919)): Session {
    const dialer: TransportDialer = {
      kind: 'tcp',
      dial: async (address) => {
        const target = this.sessions.get(address.split(':')[0]!);
        if (!target) throw new Error(`no session at ${address}`);
        const [a, b]: [Transport, Transport] = memoryTransportPair();
        // An incoming connection comes from an ephemeral port, as over TCP.
        Object.defineProperty(b, 'remoteAddress', { value: `${name}:${40000 + this.connections++}` });
        Object.defineProperty(a, 'remoteAddress', { value: address });
        target.accept(b);
        return a;
      },
    };
    const session = new EngineSession({ clock: this.clock, random: seededRandom(seed), hasher: nodeHasher, dialers: [dialer], ...deps });
    this.sessions.set(name, session);
    return session;
  }

  /** Advances time in `stepMs` steps, ticking every session, until `done()` or `maxSteps`. */
  async run(done: () => boolean, options: { stepMs?: number; maxSteps?: number } = {}): Promise<number> {
    const step = options.stepMs ?? 20;
    const max = options.maxSteps ?? 20_000;
    for (let i = 0; i < max; i++) {
      if (done()) return i;
      for (const s of this.sessions.values()) s.tick();
      await new Promise((r) => setImmediate(r));
      this.now += step;
    }
    throw new Error(`simulation did not finish within ${max} steps`);
  }
}

// A downloading engine in its Node shell (TCP, fs storage, resume files), in this process, with
// every alert recorded, so tests can wait for and assert exact engine events.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/core/api/types.js';
import type { Torrent } from '../../../src/core/engine/torrent.js';
import { startNodeSession, type NodeSession } from '../../../sidecar/src/engine/node-session.js';
import { makeTorrent, type TestTorrent } from '../../helpers/engine.js';

export interface Downloader {
  readonly node: NodeSession;
  readonly torrent: Torrent;
  readonly alerts: Alert[];
  readonly dir: string;
  /** Resolves with the first alert (past or future) matching `match`; rejects after `timeoutMs`. */
  waitFor<T extends Alert['type']>(type: T, match?: (a: Extract<Alert, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<Alert, { type: T }>>;
  /** The downloaded file's bytes. */
  file(): Uint8Array;
  close(): Promise<void>;
}

/** One file, `data.bin`, of `length` deterministic bytes. */
export function singleFileTorrent(length: number, pieceLength: number): Promise<TestTorrent> {
  return makeTorrent([{ path: ['data.bin'], length }], { name: 'data.bin', pieceLength });
}

export async function startDownloader(t: TestTorrent, peers: readonly string[]): Promise<Downloader> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-robust-'));
  const node = await startNodeSession({ downloadDir: join(dir, 'out'), stateDir: join(dir, 'state'), port: 0, host: '127.0.0.1', dht: false });
  const alerts: Alert[] = [];
  const waiters = new Set<(a: Alert) => void>();
  node.session.on((a) => {
    alerts.push(a);
    for (const w of [...waiters]) w(a);
  });
  const torrent = await node.session.addTorrent({ torrent: t.bytes }, { peers });
  return {
    node,
    torrent,
    alerts,
    dir,
    waitFor(type, match = () => true, timeoutMs = 30_000) {
      type A = Extract<Alert, { type: typeof type }>;
      const hit = (a: Alert): a is A => a.type === type && match(a as A);
      const past = alerts.find(hit);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} alert within ${timeoutMs} ms; state ${torrent.status().state}, progress ${torrent.status().progress}; alerts: ${alerts.map((a) => a.type).join(', ')}`));
        }, timeoutMs);
        const check = (a: Alert) => {
          if (!hit(a)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(a);
        };
        waiters.add(check);
      });
    },
    file: () => new Uint8Array(readFileSync(join(dir, 'out', 'data.bin'))),
    async close() {
      await node.close(300);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/** Resolves when `condition()` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

import type { AddressInfo } from 'node:net';
import { Server } from 'bittorrent-tracker';
import { sluiceLong } from './cli.js';

/** A WebSocket (WebTorrent) tracker on 127.0.0.1: peers meet through it by relayed WebRTC offers and answers. */
export interface WsTracker {
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  /** Offers and answers relayed so far, when the tracker says (Sluice's /stats); null for bittorrent-tracker. */
  relayed(): Promise<{ offers: number; answers: number } | null>;
  /**
   * Resolves when a peer of `infoHash` (hex) has announced with WebRTC offers (bittorrent-tracker
   * only: it hands them to the peers already there, so a peer announcing later gets none of them).
   */
  offersAnnounced(infoHash: string, giveUpMs?: number): Promise<void>;
  close(): Promise<void>;
}

const running = new Set<WsTracker>();

/**
 * bittorrent-tracker's server (the tracker WebTorrent peers use in the wild) with only its WebSocket
 * side on, in the test's own process.
 */
export async function startWsTracker(): Promise<WsTracker> {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  // A peer that hangs up mid-message is reported as a 'warning'; the tests judge peers by their transfers.
  server.on('warning', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  const port = (server.http!.address() as AddressInfo).port;
  const withOffers = new Set<string>();
  const waiters: { infoHash: string; resolve(): void }[] = [];
  const onAnnounce = (_peerId: string, params: { info_hash?: string; offers?: unknown[] }) => {
    if (!params.info_hash || !Array.isArray(params.offers) || params.offers.length === 0) return;
    withOffers.add(params.info_hash);
    for (const w of waiters.filter((w) => w.infoHash === params.info_hash)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  for (const event of ['start', 'update']) server.on(event, onAnnounce);
  const tracker: WsTracker = {
    url: `ws://127.0.0.1:${port}`,
    relayed: () => Promise.resolve(null),
    offersAnnounced: (infoHash, giveUpMs = 60_000) => {
      if (withOffers.has(infoHash)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no peer of ${infoHash} announced offers to ${tracker.url} in ${giveUpMs} ms`)), giveUpMs);
        waiters.push({ infoHash, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: async () => {
      running.delete(tracker);
      // The server does not end its WebSocket clients; those are gone by now (peers are stopped first),
      // and the wait is bounded in case one is not.
      await Promise.race([new Promise<void>((resolve) => server.close(() => resolve())), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
      server.http?.closeAllConnections();
    },
  };
  running.add(tracker);
  return tracker;
}

/**
 * `sluice tracker --port 0 --json` (Sluice's own tracker) in a child process, until closed. Under a
 * `prefix` (a network namespace) `relayed()` cannot reach its /stats from here.
 */
export async function startSluiceTracker(options: { prefix?: readonly string[] } = {}): Promise<WsTracker> {
  const run = sluiceLong(['tracker', '--port', '0', '--host', '127.0.0.1', '--json'], { prefix: options.prefix });
  const first = JSON.parse(await run.firstLine) as { ws: string; stats: string };
  const tracker: WsTracker = {
    url: first.ws,
    relayed: async () => {
      const stats = (await (await fetch(first.stats)).json()) as { offersRelayed: number; answersRelayed: number };
      return { offers: stats.offersRelayed, answers: stats.answersRelayed };
    },
    offersAnnounced: () => Promise.reject(new Error('offersAnnounced: only for bittorrent-tracker (startWsTracker)')),
    close: async () => {
      running.delete(tracker);
      if (run.child.exitCode !== null || run.child.signalCode !== null) return;
      run.child.kill('SIGINT');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 3000);
      await run.exited;
      clearTimeout(timer);
    },
  };
  running.add(tracker);
  return tracker;
}

/** Closes every tracker still running (for afterEach, after the peers are stopped). */
export async function stopAllWsTrackers(): Promise<void> {
  await Promise.all([...running].map((t) => t.close()));
}

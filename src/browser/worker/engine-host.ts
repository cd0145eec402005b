import type { Alert } from '../../core/api/types.js';
import { Session, SessionError, type AddTorrentOptions } from '../../core/engine/session.js';
import type { Torrent } from '../../core/engine/torrent.js';
import { isSluiceError, SluiceError } from '../../core/errors.js';
import { parseMetainfo } from '../../core/metainfo/index.js';
import { toBase64 } from '../../core/bridge/base64.js';
import { CONTROL_LIMITS } from '../../core/bridge/control.js';
import type { Hasher } from '../../core/ports/hasher.js';
import type { StorageFactory } from '../../core/ports/storage.js';
import type { TrackerClient } from '../../core/ports/tracker.js';
import { WsTrackerClient } from '../../core/tracker/ws-client/ws-tracker-client.js';
import { toHex } from '../../core/util/hex.js';
import { adaptFetch } from '../../core/webseed/index.js';
import type {
  CommandArgs,
  CommandMessage,
  CommandName,
  CommandResult,
  EngineOptions,
  EngineSettings,
  EngineStatus,
  Outcome,
  SeedJob,
  TorrentView,
  WorkerMessage,
} from '../client/protocol.js';
import { STATUS_INTERVAL_MS } from '../client/protocol.js';
import type { RtcEvent } from '../rtc/rtc-messages.js';
import { StreamResponder } from '../stream/stream-responder.js';
import { BridgeClient } from '../bridge/bridge-client.js';
import { browserWebSocket } from './browser-websocket.js';
import { explainedFetch } from './explained-fetch.js';
import { PageRtcConnector } from './page-rtc-connector.js';
import type { EngineState } from '../persist/engine-state.js';
import { PersistedTorrents } from '../../core/persist/persisted-torrents.js';
import { torrentMagnet } from '../../core/persist/torrent-magnet.js';
import { seedFiles } from './seed-files.js';
import { torrentDetails, validRate } from './torrent-details.js';
import { isWebSocketUrl, sourceFacts, sourceOf } from './torrent-sources.js';

export type PostToPage = (message: WorkerMessage, transfer?: Transferable[]) => void;

/** The ports the worker's engine stores and hashes with, and where its torrent list outlives the page (null: nowhere). */
export interface EnginePorts {
  readonly storage: StorageFactory;
  readonly hasher: Hasher;
  readonly state: EngineState | null;
}

/** Most alerts carried by one status batch; the oldest go first (the status itself is always whole). */
const MAX_ALERTS_PER_BATCH = 1000;
/** How long a page that said it was leaving holds new requests; past it, the page stayed after all. */
const LEAVING_HOLD_MS = 1000;

/**
 * The core Session in the worker: WebSocket trackers from here, WebRTC through the page, web seeds
 * through fetch, the tick loop on the worker's timers. Commands come in as messages and their
 * outcomes go back as values; status and alerts leave in one batch at most every 250 ms.
 */
export class EngineHost {
  private readonly session: Session;
  private readonly rtc: PageRtcConnector;
  private readonly jobs = new Map<number, SeedJob>();
  private nextJob = 1;
  private alerts: Alert[] = [];
  private lastStatus = '';
  private readonly channelCounts = { transferred: 0, relayed: 0 };
  private readonly persisted: PersistedTorrents;
  /** The trackers new torrents announce to (settings change them). */
  private trackers: readonly string[];
  /** Settles once the saved torrents are back: commands wait for it, so a reload's `add` finds them. */
  private readonly restored: Promise<void>;
  private readonly bridge: BridgeClient;

  constructor(
    private readonly post: PostToPage,
    options: EngineOptions,
    private readonly ports: EnginePorts,
  ) {
    this.trackers = options.trackers;
    this.rtc = new PageRtcConnector((request, transfer) => post({ kind: 'rtc', request }, transfer), {
      ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    });
    let session: Session | null = null;
    const trackers = (url: string): TrackerClient | null => {
      if (!isWebSocketUrl(url)) return null;
      return new WsTrackerClient(url, {
        socket: browserWebSocket,
        rtc: this.rtc,
        timer: (ms, run) => {
          const t = setTimeout(run, ms);
          return () => clearTimeout(t);
        },
        random: randomBytes,
        onPeer: (infoHash, transport, peerId) => (session ? session.acceptBrokered(infoHash, transport, peerId) : transport.close()),
        onOfferFailed: (infoHash, trackerUrl) => session?.offerFailed(infoHash, trackerUrl),
      });
    };
    session = new Session({
      clock: { now: () => Date.now() },
      random: { bytes: randomBytes, float: () => Math.random() },
      hasher: ports.hasher,
      storage: ports.storage,
      dialers: [],
      trackers,
      http: adaptFetch((url, init) => explainedFetch(url, init), () => new AbortController()),
      resume: ports.state?.resume ?? null,
    });
    this.session = session;
    this.persisted = new PersistedTorrents({
      store: ports.state,
      hasher: ports.hasher,
      magnetOf: torrentMagnet,
      after: (ms, task) => {
        const t = setTimeout(task, ms);
        return () => clearTimeout(t);
      },
      now: () => Date.now(),
    });
    session.on((alert) => {
      // The metadata is the torrent's once it is checked (`metadata-received` comes just before).
      if (alert.type === 'metadata-received' || alert.type === 'torrent-checked') {
        // User timing marks: DevTools and bench/browser.mjs read from them how long storage took to be ready.
        performance.mark(`sluice:${alert.type}:${alert.infoHash}`);
        const torrent = session.torrent(alert.infoHash);
        if (torrent) this.persisted.changed(torrent);
      }
      this.alerts.push(alert);
      if (this.alerts.length > MAX_ALERTS_PER_BATCH) this.alerts.splice(0, this.alerts.length - MAX_ALERTS_PER_BATCH);
      // A torrent's metadata and storage are ready: the page opens its player on the next batch, so
      // that batch goes now rather than up to 250 ms later (half of that on average, on the way to
      // the first frame).
      if (alert.type === 'torrent-checked') this.sendStatusSoon();
    });
    this.restored = this.persisted.restore(session).then(
      (failures) => {
        for (const f of failures) this.alerts.push({ type: 'torrent-error', infoHash: f.infoHash, code: 'engine/restore-failed', message: f.message });
      },
      (err: unknown) => {
        this.alerts.push({ type: 'torrent-error', infoHash: '', code: 'engine/restore-failed', message: `could not read the saved torrents: ${err instanceof Error ? err.message : String(err)}` });
      },
    );
    this.bridge = new BridgeClient(session, options.bridge ?? { mode: 'auto', token: null }, self.location.origin, () => this.sendStatus());
    this.startTicking();
    setInterval(() => {
      this.bridge.sync();
      this.sendStatus();
    }, STATUS_INTERVAL_MS);
  }

  /** Serves the Service Worker's `/stream/...` requests on `port` (a new port replaces the last). */
  serveStreams(port: MessagePort): void {
    this.streamResponder().attach(port);
  }

  private streams: StreamResponder | null = null;

  private streamResponder(): StreamResponder {
    this.streams ??= new StreamResponder({ torrent: (infoHash) => this.session.torrent(infoHash), onAlert: (listener) => this.session.on(listener) });
    return this.streams;
  }

  /**
   * The page is about to go away (a reload, a closed tab): what is already requested drains while the
   * channels last, instead of being sent for nothing (docs/browser-engine.md). If the page stays after
   * all, requests start again after LEAVING_HOLD_MS.
   */
  leaving(): void {
    this.session.holdRequests(LEAVING_HOLD_MS);
  }

  rtcEvent(event: RtcEvent): void {
    if (event.op === 'channel') this.channelCounts.transferred += 1;
    else if (event.op === 'relay') this.channelCounts.relayed += 1;
    this.rtc.handle(event);
  }

  async command(message: CommandMessage): Promise<void> {
    let outcome: Outcome<unknown>;
    const transfer: Transferable[] = [];
    try {
      await this.restored;
      const value = await this.run(message.name, message.args);
      if (value instanceof Uint8Array) transfer.push(value.buffer);
      outcome = { ok: true, value };
    } catch (err) {
      outcome = { ok: false, error: isSluiceError(err) ? { code: err.code, message: firstLine(err.message) } : { code: 'engine/unexpected', message: firstLine(err instanceof Error ? err.message : String(err)) } };
    }
    this.post({ kind: 'result', id: message.id, outcome }, transfer);
    // A command that changes what the page shows says so without waiting for the next batch. The
    // reads do not: the opened torrent's file list is read on every status batch, and each read
    // sent a second batch (twice the status traffic while a video plays, in the worker that feeds it).
    if (!READ_ONLY_COMMANDS.has(message.name)) this.sendStatus();
  }

  private async run<C extends CommandName>(name: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    const a = args as CommandArgs<CommandName> & Record<string, unknown>;
    switch (name) {
      case 'add':
        return (await this.add(a as CommandArgs<'add'>)) as CommandResult<C>;
      case 'seed':
        return (await this.seed(a as CommandArgs<'seed'>)) as CommandResult<C>;
      case 'pause':
      case 'resume': {
        const torrent = this.torrent(a.infoHash as string);
        if (name === 'pause') torrent.pause();
        else torrent.resume();
        await this.persisted.setPaused(torrent, name === 'pause');
        return null as CommandResult<C>;
      }
      case 'remove': {
        const infoHash = this.torrent(a.infoHash as string).infoHashHex;
        await this.session.removeTorrent(infoHash, { deleteData: a.deleteData === true });
        await this.persisted.removed(infoHash, a.deleteData === true);
        return null as CommandResult<C>;
      }
      case 'settings': {
        const changes = (a as CommandArgs<'settings'>).changes;
        if (changes) {
          this.session.applySettings(changes);
          await this.persisted.saveSettings(this.session.settings);
        }
        return this.session.settings as CommandResult<C>;
      }
      case 'setFilePriority': {
        const p = a as CommandArgs<'setFilePriority'>;
        this.torrent(p.infoHash).setFilePriority(p.fileIndex, p.priority);
        return null as CommandResult<C>;
      }
      case 'details': {
        const torrent = this.torrent(a.infoHash as string);
        return torrentDetails(torrent, this.persisted.rateLimits(torrent.infoHashHex)) as CommandResult<C>;
      }
      case 'setTorrentRateLimits': {
        const torrent = this.torrent(a.infoHash as string);
        const limits = { download: validRate(a.download), upload: validRate(a.upload) };
        torrent.setRateLimits(limits.download, limits.upload);
        await this.persisted.setRateLimits(torrent, limits);
        return null as CommandResult<C>;
      }
      case 'engineSettings': {
        const trackers = (a as CommandArgs<'engineSettings'>).trackers;
        if (trackers) this.trackers = trackers.filter((url) => typeof url === 'string' && url.length > 0);
        return { storage: storageKind(this.ports.storage), trackers: this.trackers } as CommandResult<C>;
      }
      case 'files':
        return this.torrent(a.infoHash as string).files() as CommandResult<C>;
      case 'readFile': {
        const p = a as CommandArgs<'readFile'>;
        return (await this.readFile(p.infoHash, p.fileIndex)) as CommandResult<C>;
      }
      case 'sidecar': {
        const p = a as CommandArgs<'sidecar'>;
        if (p.action === 'add' && p.torrent) {
          // A .torrent file goes as its exact info dictionary and its trackers, as a join of the browser's own torrent does.
          const meta = await parseMetainfo(p.torrent, this.ports.hasher);
          // Held to the protocol's bounds here: the sidecar drops a bridge that sends it a malformed message.
          const info = { info: toBase64(meta.infoBytes), trackers: meta.announce.flat().filter((u) => u.length <= CONTROL_LIMITS.url).slice(0, CONTROL_LIMITS.trackers) };
          if (info.info.length > CONTROL_LIMITS.info) throw new SluiceError('engine/bad-input', 'the torrent\'s info dictionary is larger than the bridge carries');
          return { infoHash: await this.bridge.remoteRequest('add', { source: info }) } as CommandResult<C>;
        }
        const input = (p.input ?? '').trim();
        // Checked here: the sidecar drops a bridge that sends it a malformed message.
        if (p.action === 'add' ? !(/^magnet:\?/.test(input) && input.length <= 64 * 1024) && !/^([0-9a-fA-F]{40}|[A-Za-z2-7]{32})$/.test(input) : !/^[0-9a-f]{40}$/.test(p.infoHash ?? ''))
          throw new SluiceError('engine/bad-input', p.action === 'add' ? `'${input.slice(0, 80)}' is not a magnet link or info hash` : `'${p.infoHash ?? ''}' is not an info hash`);
        const source = input.startsWith('magnet:') ? { magnet: input } : { infoHash: input };
        const infoHash = await this.bridge.remoteRequest(p.action, p.action === 'add' ? { source } : { infoHash: p.infoHash ?? '', deleteData: p.deleteData === true });
        return { infoHash } as CommandResult<C>;
      }
      case 'status':
        return this.status() as CommandResult<C>;
      default:
        throw new SluiceError('engine/unknown-command', `unknown command '${String(name)}'`);
    }
  }

  private async add(args: CommandArgs<'add'>): Promise<CommandResult<'add'>> {
    const source = await sourceOf(args.input);
    const { key, namesWebSocketTracker } = await sourceFacts(source, this.ports.hasher);
    // Opening the same address again (a reload, a bookmark) leaves the torrent exactly as it is.
    if (this.session.torrent(key)) {
      if (args.play) this.streamResponder().prefetch(key);
      return { infoHash: key, added: false };
    }
    const options: AddTorrentOptions = { paused: args.paused ?? false, ...(namesWebSocketTracker ? {} : { trackers: this.trackers }) };
    // The sidecar joins from the same magnet: its x.pe peers and trackers are what the classic swarm needs.
    // Known before the torrent is: a status tick during the awaits below joins it, and must not join by bare hash.
    if ('magnet' in source) this.bridge.remember(key, { magnet: source.magnet });
    const torrent = await this.session.addTorrent(source, options);
    if (args.play) this.streamResponder().prefetch(torrent.infoHashHex);
    await this.persisted.added(torrent, options.paused ?? false);
    this.bridge.sync();
    return { infoHash: torrent.infoHashHex, added: true };
  }

  private async seed(args: CommandArgs<'seed'>): Promise<CommandResult<'seed'>> {
    const id = this.nextJob++;
    const totalBytes = args.files.reduce((n, f) => n + f.size, 0);
    const name = args.name ?? args.files[0]?.name ?? '';
    this.jobs.set(id, { id, name, hashedBytes: 0, totalBytes, infoHash: null, error: null });
    try {
      const made = await seedFiles({
        files: args.files,
        ...(args.name ? { name: args.name } : {}),
        ...(args.paths ? { paths: args.paths } : {}),
        trackers: this.trackers,
        hasher: this.ports.hasher,
        storage: this.ports.storage,
        now: Date.now() / 1000,
        onProgress: (hashedBytes) => this.updateJob(id, { hashedBytes }),
        known: (key) => this.session.torrent(key) !== undefined,
      });
      const infoHash = toHex(made.created.infoHash);
      this.updateJob(id, { hashedBytes: totalBytes, infoHash });
      const store = made.store;
      if (store && !this.session.torrent(infoHash)) {
        // This store is the engine's own storage opened under the torrent's key: after a reload the
        // torrent opens the same data through the default store.
        const torrent = await this.session.addTorrent({ metainfo: made.metainfo }, { storage: { open: async () => store } });
        await this.persisted.added(torrent, false);
      } else {
        await store?.close();
      }
      this.jobs.delete(id);
      return { infoHash, magnet: torrentMagnet(this.torrent(infoHash)) };
    } catch (err) {
      const error = isSluiceError(err) ? { code: err.code, message: firstLine(err.message) } : { code: 'seed/failed', message: String(err) };
      this.updateJob(id, { error });
      throw err;
    }
  }

  private updateJob(id: number, change: Partial<SeedJob>): void {
    const job = this.jobs.get(id);
    if (job) this.jobs.set(id, { ...job, ...change });
  }

  private async readFile(infoHash: string, fileIndex: number): Promise<Uint8Array> {
    const torrent = this.torrent(infoHash);
    const meta = torrent.metainfo;
    if (!meta) throw new SluiceError('torrent/no-metadata', 'the torrent has no metadata yet');
    const file = meta.files[fileIndex];
    if (!file) throw new SluiceError('engine/no-such-file', `the torrent has no file ${fileIndex}`);
    const out = new Uint8Array(file.length);
    let at = 0;
    for await (const chunk of torrent.readStream(fileIndex)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  private torrent(infoHash: string): Torrent {
    const torrent = this.session.torrent(String(infoHash));
    if (!torrent) throw new SessionError('session/unknown-torrent', `no torrent ${infoHash} in the engine`);
    return torrent;
  }

  private status(): EngineStatus {
    const torrents: TorrentView[] = this.session.torrents().map((t) => {
      const status = t.status();
      // The core keeps a paused magnet in 'metadata' (it has nothing else to say yet); the person paused it.
      const state = status.state === 'metadata' && this.persisted.isPaused(t.infoHashHex) ? 'paused' : status.state;
      return { ...status, state, magnet: torrentMagnet(t), bridgePeers: t.peers().filter((p) => p.transport === 'websocket').length };
    });
    return { torrents, jobs: [...this.jobs.values()], channels: { ...this.channelCounts }, bridge: this.bridge.view() };
  }

  private statusSoon = false;

  /** A batch after the current task (alerts of one event go together). */
  private sendStatusSoon(): void {
    if (this.statusSoon) return;
    this.statusSoon = true;
    setTimeout(() => {
      this.statusSoon = false;
      this.sendStatus();
    }, 0);
  }

  /** Sends a batch when something changed: the status differs, or alerts are waiting. */
  private sendStatus(): void {
    const status = this.status();
    const text = JSON.stringify(status);
    if (text === this.lastStatus && this.alerts.length === 0) return;
    this.lastStatus = text;
    const alerts = this.alerts;
    this.alerts = [];
    this.post({ kind: 'status', batch: { status, alerts } });
  }

  /** Runs the session at the deadline it asks for, or at once when it wakes us. */
  private startTicking(): void {
    const s = this.session;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let scheduledAt = Infinity;
    const schedule = (at: number) => {
      if (at >= scheduledAt) return;
      if (timer) clearTimeout(timer);
      scheduledAt = at;
      timer = setTimeout(run, Math.max(0, at - Date.now()));
    };
    const run = () => {
      timer = null;
      scheduledAt = Infinity;
      schedule(s.tick() ?? Date.now() + 1000);
    };
    s.onWake(() => schedule(Date.now()));
    schedule(Date.now());
  }
}

/** Commands that change nothing the status shows. */
const READ_ONLY_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(['files', 'readFile', 'details', 'status']);

function storageKind(storage: StorageFactory): EngineSettings['storage'] {
  const kind = (storage as { kind?: unknown }).kind;
  return kind === 'opfs' || kind === 'indexeddb' ? kind : 'memory';
}

function randomBytes(count: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(count));
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

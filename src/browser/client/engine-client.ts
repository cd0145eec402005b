import type { RtcConnectorOptions } from '../../core/transport/rtc-connector-options.js';
import { RtcHost } from '../rtc/rtc-host.js';
import type { ChannelMode } from '../rtc/rtc-messages.js';
import type { CommandArgs, CommandName, CommandResult, EngineOptions, Outcome, PageMessage, StatusBatch, WorkerMessage } from './protocol.js';

/** The Web Lock the tab running the engine holds, and the channel the other tabs reach it through. */
const LOCK_NAME = 'sluice-engine';
const CHANNEL_NAME = 'sluice-engine';

/** Between tabs, over the BroadcastChannel. */
type TabMessage =
  | { readonly kind: 'command'; readonly from: string; readonly id: number; readonly name: CommandName; readonly args: unknown }
  | { readonly kind: 'result'; readonly to: string; readonly id: number; readonly outcome: Outcome<unknown> }
  | { readonly kind: 'status'; readonly batch: StatusBatch }
  /** A tab started following: the leader sends it the status. */
  | { readonly kind: 'hello' }
  /** A tab became the leader: followers send again what is unanswered. */
  | { readonly kind: 'leader' };

export type EngineRole = 'follower' | 'leader';

export interface ConnectOptions extends EngineOptions {
  /** How data channels reach the worker (default `auto`: transferred where the browser can). */
  readonly channelMode?: ChannelMode;
  readonly rtc?: Omit<RtcConnectorOptions, 'iceServers'>;
}

interface PendingCall {
  readonly name: CommandName;
  readonly args: unknown;
  readonly resolve: (outcome: Outcome<unknown>) => void;
}

/**
 * The page's handle on the engine, the only engine API the UI uses. One engine runs per origin: the
 * tab holding the `sluice-engine` Web Lock starts the worker (and owns the RTCPeerConnections);
 * every other tab sends its commands over a BroadcastChannel to that tab and shows the status it
 * broadcasts. When the leader tab closes, its lock is released and a waiting tab takes over.
 */
export class EngineClient {
  private currentRole: EngineRole = 'follower';
  private readonly tabId = Math.random().toString(36).slice(2);
  private readonly channel = new BroadcastChannel(CHANNEL_NAME);
  private readonly pending = new Map<number, PendingCall>();
  private readonly statusListeners = new Set<(batch: StatusBatch) => void>();
  private readonly roleListeners = new Set<(role: EngineRole) => void>();
  private lastBatch: StatusBatch | null = null;
  private nextId = 1;
  private worker: Worker | null = null;
  private rtcHost: RtcHost | null = null;
  /** Commands from other tabs, by the id our worker knows them under. */
  private readonly relayed = new Map<number, { readonly from: string; readonly id: number }>();

  constructor(private readonly options: ConnectOptions) {
    this.channel.addEventListener('message', (event: MessageEvent<TabMessage>) => this.onTabMessage(event.data));
    if (typeof navigator.locks?.request === 'function') {
      // Held for the life of the page: the callback's promise never settles.
      void navigator.locks.request(LOCK_NAME, () => {
        this.lead();
        return new Promise<never>(() => {});
      });
      this.channel.postMessage({ kind: 'hello' } satisfies TabMessage);
    } else {
      this.lead(); // no Web Locks: this tab runs its own engine
    }
  }

  get role(): EngineRole {
    return this.currentRole;
  }

  /** The latest status batch, if one arrived. */
  get status(): StatusBatch | null {
    return this.lastBatch;
  }

  /** Sends a command; failures come back as `{ ok: false, error }`. */
  call<C extends CommandName>(name: C, args: CommandArgs<C>): Promise<Outcome<CommandResult<C>>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { name, args, resolve: resolve as (o: Outcome<unknown>) => void });
      this.send(id, name, args);
    });
  }

  /** Status batches (at most every 250 ms); the latest one at once if there is one. Returns the unsubscribe. */
  subscribe(listener: (batch: StatusBatch) => void): () => void {
    this.statusListeners.add(listener);
    if (this.lastBatch) listener(this.lastBatch);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * A new MessagePort to this tab's engine for the Service Worker's streams (the engine gets the other
   * end), or null when another tab runs the engine.
   */
  openStreamPort(): MessagePort | null {
    if (!this.worker) return null;
    const channel = new MessageChannel();
    this.toWorker({ kind: 'stream-port', port: channel.port1 }, [channel.port1]);
    return channel.port2;
  }

  onRoleChange(listener: (role: EngineRole) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }

  private send(id: number, name: CommandName, args: unknown): void {
    if (this.worker) this.toWorker({ kind: 'command', id, name, args } as PageMessage);
    else this.channel.postMessage({ kind: 'command', from: this.tabId, id, name, args } satisfies TabMessage);
  }

  private lead(): void {
    const worker = new Worker(new URL('../worker/engine-worker.ts', import.meta.url), { type: 'module', name: 'sluice-engine' });
    this.worker = worker;
    this.rtcHost = new RtcHost((event, transfer) => this.toWorker({ kind: 'rtc', event }, transfer), {
      ...this.options.rtc,
      ...(this.options.iceServers ? { iceServers: this.options.iceServers } : {}),
      ...(this.options.channelMode ? { channelMode: this.options.channelMode } : {}),
    });
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => this.onWorkerMessage(event.data));
    worker.addEventListener('error', (event) => {
      this.publish({ status: this.lastBatch?.status ?? { torrents: [], jobs: [], channels: { transferred: 0, relayed: 0 } }, alerts: [{ type: 'torrent-error', infoHash: '', code: 'engine/crashed', message: `the engine stopped: ${event.message}` }] });
    });
    addEventListener('beforeunload', () => this.toWorker({ kind: 'leaving' }));
    addEventListener('pagehide', () => this.rtcHost?.close());
    this.toWorker({ kind: 'init', options: { trackers: this.options.trackers, ...(this.options.iceServers ? { iceServers: this.options.iceServers } : {}), ...(this.options.bridge ? { bridge: this.options.bridge } : {}) } });
    this.setRole('leader');
    // What this tab asked while following goes to its own engine now.
    for (const [id, call] of this.pending) this.send(id, call.name, call.args);
    this.channel.postMessage({ kind: 'leader' } satisfies TabMessage);
  }

  private toWorker(message: PageMessage, transfer: Transferable[] = []): void {
    this.worker?.postMessage(message, transfer);
  }

  private onWorkerMessage(message: WorkerMessage): void {
    if (message.kind === 'rtc') this.rtcHost?.handle(message.request);
    else if (message.kind === 'status') {
      this.publish(message.batch);
      this.channel.postMessage({ kind: 'status', batch: message.batch } satisfies TabMessage);
    } else {
      const origin = this.relayed.get(message.id);
      if (origin) {
        this.relayed.delete(message.id);
        this.channel.postMessage({ kind: 'result', to: origin.from, id: origin.id, outcome: message.outcome } satisfies TabMessage);
      } else this.settle(message.id, message.outcome);
    }
  }

  private onTabMessage(message: TabMessage): void {
    switch (message.kind) {
      case 'command':
        if (!this.worker) return;
        {
          const id = this.nextId++;
          this.relayed.set(id, { from: message.from, id: message.id });
          this.toWorker({ kind: 'command', id, name: message.name, args: message.args } as PageMessage);
        }
        return;
      case 'result':
        if (message.to === this.tabId) this.settle(message.id, message.outcome);
        return;
      case 'status':
        if (!this.worker) this.publish(message.batch);
        return;
      case 'hello':
        if (this.worker && this.lastBatch) this.channel.postMessage({ kind: 'status', batch: this.lastBatch } satisfies TabMessage);
        return;
      case 'leader':
        if (!this.worker) for (const [id, call] of this.pending) this.send(id, call.name, call.args);
        return;
    }
  }

  private settle(id: number, outcome: Outcome<unknown>): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    call.resolve(outcome);
  }

  private publish(batch: StatusBatch): void {
    this.lastBatch = batch;
    for (const l of this.statusListeners) l(batch);
  }

  private setRole(role: EngineRole): void {
    this.currentRole = role;
    for (const l of this.roleListeners) l(role);
  }
}

// The part of npm `@thaunknown/simple-peer` (no bundled types) that the WebRTC interop test uses.
declare module '@thaunknown/simple-peer/lite.js' {
  import type { EventEmitter } from 'node:events';

  export interface SimplePeerOptions {
    initiator?: boolean;
    trickle?: boolean;
    config?: { iceServers: unknown[]; bindAddress?: string };
    iceCompleteTimeout?: number;
  }

  export interface SignalData {
    type: 'offer' | 'answer' | 'candidate' | 'renegotiate' | 'transceiverRequest';
    sdp?: string;
  }

  export default class Peer extends EventEmitter {
    constructor(options?: SimplePeerOptions);
    signal(data: SignalData): void;
    write(chunk: Uint8Array): boolean;
    send(chunk: Uint8Array): void;
    destroy(error?: Error): void;
    readonly connected: boolean;
  }
}

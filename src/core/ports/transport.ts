import type { SluiceError } from '../errors.js';

/**
 * A connection to one peer: an ordered, reliable byte stream. TCP sockets, WebRTC data channels and
 * the bridge's WebSocket all plug in here, so the engine never knows which one it talks to.
 *
 * Contract (test/contracts/transport.contract.ts runs it against every implementation):
 * - bytes written on one side arrive on the other in order, whatever the chunking;
 * - `write` returns false once more than the high-water mark is queued, and `drain` fires when the
 *   queue falls below it again: the engine stops producing until then (back-pressure);
 * - `close()` is idempotent; `close` handlers fire exactly once, on both sides, after the last `data`;
 * - no callback fires after `close` has fired;
 * - a chunk handed to `data` is valid only during that call: the transport may reuse its memory as
 *   soon as the handler returns (the TCP transport reads every socket into one shared buffer), so a
 *   handler that keeps bytes copies them. The engine does: the wire decoder copies what it keeps, and
 *   piece blocks are copied into piece buffers within the call.
 */
export type TransportKind = 'tcp' | 'webrtc' | 'websocket' | 'memory';

export interface TransportHandlers {
  /** `chunk` is valid only until this returns (see the contract above): copy what you keep. */
  data(chunk: Uint8Array): void;
  drain(): void;
  /** `error` is absent for an orderly close. */
  close(error?: SluiceError): void;
}

export interface Transport {
  readonly kind: TransportKind;
  /** `host:port` for network transports (IPv6 in brackets); an opaque label otherwise. */
  readonly remoteAddress: string;
  /** Whether we opened the connection (outgoing) or accepted it. */
  readonly outgoing: boolean;
  /** Starts delivery. Data that arrived before attach is delivered first. */
  attach(handlers: TransportHandlers): void;
  /** Queues bytes; the transport may keep a reference, so callers must not reuse `data` afterwards. */
  write(data: Uint8Array): boolean;
  close(error?: SluiceError): void;
}

/** Opens outgoing connections of one kind. */
export interface TransportDialer {
  readonly kind: TransportKind;
  dial(address: string, signal?: AbortSignalLike): Promise<Transport>;
}

/** The part of AbortSignal core needs, so core stays free of DOM and Node types. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

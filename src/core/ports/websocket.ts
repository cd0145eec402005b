/** A WebSocket, as the browser's and the `ws` package's both provide it: text frames in and out. */
export interface WebSocketLike {
  send(text: string): void;
  close(): void;
}

export interface WebSocketHandlers {
  open(): void;
  message(text: string): void;
  /** Fires once, after `open` or instead of it (a failed connect). */
  close(): void;
}

/** Opens a socket; handlers fire asynchronously. */
export type WebSocketFactory = (url: string, handlers: WebSocketHandlers) => WebSocketLike;

/** A one-shot timer; returns its cancel function. Shells pass setTimeout-based ones. */
export type ScheduleTimer = (delayMs: number, run: () => void) => () => void;

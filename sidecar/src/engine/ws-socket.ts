import { createRequire } from 'node:module';
import type WebSocketClass from 'ws';
import type { WebSocketFactory } from '../../../src/core/ports/websocket.js';

/**
 * `ws` is loaded on the first WebSocket, not at start: most runs (a TCP download, no ws:// tracker)
 * never open one, and loading it costs ~85 ms of CPU in every CLI process. It is CommonJS, so a
 * synchronous require keeps the factory synchronous.
 */
let loaded: typeof WebSocketClass | null = null;
function webSocketClass(): typeof WebSocketClass {
  loaded ??= createRequire(import.meta.url)('ws') as typeof WebSocketClass;
  return loaded;
}

/** Largest frame accepted from a tracker: offers and answers are a few KiB of SDP each. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** The WebSocket port on the `ws` package. */
export const nodeWebSocket: WebSocketFactory = (url, handlers) => {
  const WebSocket = webSocketClass();
  const socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000 });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    handlers.close();
  };
  socket.on('open', () => handlers.open());
  socket.on('message', (data, isBinary) => {
    if (!isBinary) handlers.message(data.toString());
  });
  socket.on('close', close);
  socket.on('error', close);
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: () => {
      socket.close();
      close();
    },
  };
};

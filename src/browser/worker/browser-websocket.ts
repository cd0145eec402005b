import type { WebSocketFactory } from '../../core/ports/websocket.js';

/** The WebSocket port on the worker's own WebSocket: text frames only, as WebTorrent trackers speak. */
export const browserWebSocket: WebSocketFactory = (url, handlers) => {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    handlers.close();
  };
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    // A malformed URL throws at once; handlers must fire asynchronously.
    queueMicrotask(close);
    return { send: () => {}, close };
  }
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') handlers.message(event.data);
  });
  socket.addEventListener('close', close);
  socket.addEventListener('error', close);
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

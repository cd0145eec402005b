import { afterAll } from 'vitest';
import type { Transport } from '../../../src/core/ports/transport.js';
import { listenTcp, tcpDialer, type TcpListener } from '../../../sidecar/src/transport/tcp.js';

const listeners: TcpListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

/** Closes `listener` when the test file ends. */
export function closeAfterFile(listener: TcpListener): void {
  listeners.push(listener);
}

/** Two ends of one loopback TCP connection made by Sluice's own listener and dialer; listeners close after the file. */
export async function tcpPair(): Promise<{ dialed: Transport; accepted: Transport }> {
  let accept: (t: Transport) => void = () => {};
  const acceptedP = new Promise<Transport>((r) => (accept = r));
  const listener = await listenTcp({ port: 0, host: '127.0.0.1' }, (t) => accept(t));
  listeners.push(listener);
  const dialed = await tcpDialer().dial(`127.0.0.1:${listener.port}`);
  return { dialed, accepted: await acceptedP };
}

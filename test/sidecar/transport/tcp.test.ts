import { afterAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/core/ports/transport.js';
import { listenTcp, parseHostPort, tcpDialer, type TcpListener } from '../../../sidecar/src/transport/tcp.js';
import { transportContract } from '../../contracts/transport.contract.js';

const listeners: TcpListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

async function tcpPair(): Promise<[Transport, Transport]> {
  let accept: (t: Transport) => void = () => {};
  const accepted = new Promise<Transport>((r) => (accept = r));
  const listener = await listenTcp({ port: 0, host: '127.0.0.1' }, (t) => accept(t));
  listeners.push(listener);
  const dialed = await tcpDialer().dial(`127.0.0.1:${listener.port}`);
  return [dialed, await accepted];
}

transportContract('tcp', tcpPair);

describe('tcp dialer', () => {
  it('reports a refused connection as a typed error', async () => {
    const listener = await listenTcp({ port: 0, host: '127.0.0.1' }, () => {});
    const port = listener.port;
    await listener.close();
    await expect(tcpDialer().dial(`127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'transport/refused' });
  });

  it('parses IPv4 and bracketed IPv6 addresses and rejects the rest', () => {
    expect(parseHostPort('127.0.0.1:6881')).toEqual({ host: '127.0.0.1', port: 6881 });
    expect(parseHostPort('[::1]:51413')).toEqual({ host: '::1', port: 51413 });
    expect(() => parseHostPort('::1:80')).toThrow(/is not host:port/);
    expect(() => parseHostPort('host:0')).toThrow(/is not host:port/);
  });

  it('dials over IPv6 loopback', async () => {
    let accept: (t: Transport) => void = () => {};
    const accepted = new Promise<Transport>((r) => (accept = r));
    const listener = await listenTcp({ port: 0, host: '::1' }, (t) => accept(t));
    listeners.push(listener);
    const t = await tcpDialer().dial(`[::1]:${listener.port}`);
    const server = await accepted;
    expect(t.remoteAddress).toBe(`[::1]:${listener.port}`);
    t.close();
    server.close();
  });
});

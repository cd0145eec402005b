// BEP 15 connection ids through the real UDP socket of `startTrackerServer`: an id belongs to the client's
// address (not its port, as in opentracker: NATs and one-socket-per-request clients change ports) and is
// accepted for 2 minutes after the connect. Time is the server's injected clock.
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUdpResponse, encodeUdpRequest, type UdpRequest, type UdpResponse } from '../../../src/core/tracker/udp-packets.js';
import { startTrackerServer, type RunningTrackerServer } from '../../../sidecar/src/tracker-server/server.js';
import { UdpConnectionIds } from '../../../sidecar/src/tracker-server/udp-handler.js';

const infoHash = new Uint8Array(createHash('sha1').update('udp-connection-id').digest());
const peerId = new TextEncoder().encode('-SL0001-udpconnid000');
// Not on a second or minute boundary, so neither rounding can hide an off-by-one.
const START = 1_700_000_012_345;

let now = START;
let server: RunningTrackerServer;
const sockets: dgram.Socket[] = [];

beforeAll(async () => {
  server = await startTrackerServer({ port: 0, clock: () => now });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
});

async function socketOn(address: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return socket;
}

let transaction = 1;
async function exchange(socket: dgram.Socket, request: UdpRequest): Promise<UdpResponse> {
  const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
  socket.send(encodeUdpRequest(request), server.port, '127.0.0.1');
  const response = decodeUdpResponse(new Uint8Array(await reply), 'ipv4');
  expect(response.transactionId).toBe(request.transactionId);
  return response;
}

async function connect(socket: dgram.Socket): Promise<bigint> {
  const response = await exchange(socket, { action: 'connect', transactionId: transaction++ });
  if (response.action !== 'connect') throw new Error(`connect answered ${response.action}`);
  return response.connectionId;
}

function announce(socket: dgram.Socket, connectionId: bigint): Promise<UdpResponse> {
  return exchange(socket, {
    action: 'announce',
    connectionId,
    transactionId: transaction++,
    infoHash,
    peerId,
    downloaded: 0,
    left: 100,
    uploaded: 0,
    event: 'started',
    ip: 0,
    key: 1,
    numWant: 50,
    port: 6881,
  });
}

const refused = { action: 'error', message: 'unknown or expired connection id' };

describe('UDP tracker connection ids (BEP 15)', () => {
  it('accepts an id from another port of the same address, for announce and scrape', async () => {
    now = START;
    const connectSocket = await socketOn('127.0.0.1');
    const announceSocket = await socketOn('127.0.0.1');
    expect(announceSocket.address().port).not.toBe(connectSocket.address().port);
    const id = await connect(connectSocket);
    expect(await announce(announceSocket, id)).toMatchObject({ action: 'announce', interval: 600, leechers: 1 });
    const scrape = await exchange(await socketOn('127.0.0.1'), { action: 'scrape', connectionId: id, transactionId: transaction++, infoHashes: [infoHash] });
    expect(scrape).toMatchObject({ action: 'scrape', entries: [{ leechers: 1 }] });
  });

  it('refuses an id that was handed to another address, with the exact error', async () => {
    now = START;
    const before = server.stats().rejected['udp-bad-connection-id'] ?? 0;
    const elsewhere = await socketOn('127.0.0.2');
    const id = await connect(elsewhere);
    expect(await announce(await socketOn('127.0.0.1'), id)).toMatchObject(refused);
    // The address it was handed to may still use it.
    expect(await announce(elsewhere, id)).toMatchObject({ action: 'announce' });
    expect(server.stats().rejected['udp-bad-connection-id']).toBe(before + 1);
  });

  it('accepts an id for 2 minutes after the connect and refuses it after that', async () => {
    now = START;
    const id = await connect(await socketOn('127.0.0.1'));
    const later = await socketOn('127.0.0.1');
    now = START + 60_000; // the minute a client may use it (BEP 15)
    expect(await announce(later, id)).toMatchObject({ action: 'announce' });
    now = START + 120_000; // the two minutes a server accepts it
    expect(await announce(later, id)).toMatchObject({ action: 'announce' });
    now = START + 121_000;
    expect(await announce(later, id)).toMatchObject(refused);
    now = START + 600_000;
    expect(await announce(later, id)).toMatchObject(refused);
  });

  it('refuses an id from before a clock step back, and one whose time stamp has wrapped', () => {
    const ids = new UdpConnectionIds();
    const id = ids.id('10.0.0.1', START);
    expect(ids.valid(id, '10.0.0.1', START)).toBe(true);
    expect(ids.valid(id, '10.0.0.1', START - 1_000)).toBe(false);
    expect(ids.valid(id, '10.0.0.1', START + 65_536_000)).toBe(false);
    expect(ids.valid(id, '10.0.0.2', START)).toBe(false);
  });
});

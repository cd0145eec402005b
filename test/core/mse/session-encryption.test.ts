import { describe, expect, it } from 'vitest';
import type { EncryptionPolicy } from '../../../src/core/api/types.js';
import { EncryptedTransport } from '../../../src/core/mse/encrypted-transport.js';
import { FallbackTransport } from '../../../src/core/mse/fallback-transport.js';
import { CRYPTO_RC4, MseInitiator } from '../../../src/core/mse/handshake.js';
import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { concatBytes } from '../../../src/core/util/bytes.js';
import { makeTorrent, recordingStorage, seededRandom, seededStorage, SimNet } from '../../helpers/engine.js';

const FILES = [
  { path: ['a.bin'], length: 70_000 },
  { path: ['b.bin'], length: 33_333 },
];

/** Seeder and leecher in memory with the given policies; resolves with the leecher's torrent once it has every piece. */
async function swarm(seederPolicy: EncryptionPolicy, leecherPolicy: EncryptionPolicy) {
  const t = await makeTorrent(FILES, { pieceLength: 16384 });
  const net = new SimNet();
  const seeder = net.session('seeder', { storage: seededStorage(t), settings: { encryption: seederPolicy } });
  const store = recordingStorage();
  const leecher = net.session('leecher', { storage: store, settings: { encryption: leecherPolicy } });
  const seeding = await seeder.addTorrent({ torrent: t.bytes });
  const downloading = await leecher.addTorrent({ torrent: t.bytes });
  // The transports each torrent is handed (links close once both sides are seeds).
  const handed = (torrent: typeof seeding) => {
    const seen: unknown[] = [];
    const attach = torrent.attach.bind(torrent);
    torrent.attach = (transport, ...rest) => (seen.push(transport), attach(transport, ...rest));
    return seen;
  };
  const dialledAll = handed(downloading);
  const acceptedAll = handed(seeding);
  const alerts: string[] = [];
  leecher.on((a) => alerts.push(JSON.stringify(a)));
  downloading.addPeers(['seeder:1'], 'manual');
  await net.run(() => downloading.status().state === 'seeding', { maxSteps: 3000 }).catch((e: Error) => {
    throw new Error(`${e.message}\n${alerts.join('\n')}`);
  });
  expect(dialledAll.length).toBe(1);
  expect(acceptedAll.length).toBe(1);
  const [dialled] = dialledAll;
  const [accepted] = acceptedAll;
  return { t, downloading, store, dialled, accepted };
}

describe('sessions with MSE policies (in memory)', () => {
  it('prefer-plaintext dialling a peer that requires encryption: refused in plaintext, redials with MSE, RC4 selected, download completes', async () => {
    const { downloading, dialled, accepted } = await swarm('require', 'prefer-plaintext');
    expect(downloading.status().progress).toBe(1);
    expect(dialled).toBeInstanceOf(FallbackTransport);
    expect((dialled as FallbackTransport).usedFallback).toBe(true);
    expect(accepted).toBeInstanceOf(EncryptedTransport);
    expect((accepted as EncryptedTransport).method).toBe('rc4');
  });

  it('require dialling a default peer: MSE incoming is accepted and RC4 is selected', async () => {
    const { downloading, dialled, accepted } = await swarm('prefer-plaintext', 'require');
    expect(downloading.status().progress).toBe(1);
    expect((dialled as EncryptedTransport).method).toBe('rc4');
    expect((accepted as EncryptedTransport).method).toBe('rc4');
  });

  it('prefer-encrypted on both sides uses RC4 on the first connection', async () => {
    const { dialled, accepted } = await swarm('prefer-encrypted', 'prefer-encrypted');
    expect((dialled as FallbackTransport).usedFallback).toBe(false);
    expect((accepted as EncryptedTransport).method).toBe('rc4');
  });

  it('two default sessions talk plaintext with no MSE at all', async () => {
    const { downloading, dialled, accepted } = await swarm('prefer-plaintext', 'prefer-plaintext');
    expect(downloading.status().progress).toBe(1);
    expect((dialled as FallbackTransport).usedFallback).toBe(false);
    expect(accepted).not.toBeInstanceOf(EncryptedTransport);
  });

  it('an MSE peer naming a torrent the session does not have is closed during the crypto handshake', async () => {
    const t = await makeTorrent(FILES, { pieceLength: 16384 });
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t) });
    await seeder.addTorrent({ torrent: t.bytes });
    const [a, b] = memoryTransportPair();
    Object.defineProperty(b, 'remoteAddress', { value: 'stranger:1' });
    const initiator = new MseInitiator({ infoHash: new Uint8Array(20).fill(1), provide: CRYPTO_RC4, random: seededRandom(3) });
    let closed = false;
    const got: Uint8Array[] = [];
    a.attach({
      data: (chunk) => {
        got.push(chunk);
        for (const s of initiator.receive(chunk).send) a.write(s);
      },
      drain: () => {},
      close: () => (closed = true),
    });
    seeder.accept(b);
    a.write(concatBytes(initiator.start()));
    await net.run(() => closed, { maxSteps: 100 });
    expect(concatBytes(got).length).toBeGreaterThanOrEqual(96); // it answered Yb, then hung up on step 3
  });
});

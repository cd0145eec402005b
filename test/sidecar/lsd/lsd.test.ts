import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { content } from '../../helpers/engine.js';
import { startLibtorrent, stopAllLibtorrent } from '../../helpers/libtorrent.js';
import { createNetns, type Netns } from '../../helpers/netns.js';
import { sluice } from '../../helpers/cli.js';
import { Swarm } from '../discovery/swarm.js';

// Every peer here runs inside a network namespace whose only interface is loopback, so the multicast
// never leaves it. No tracker, no DHT, no --peer: the only way the two sides can meet is BEP 14.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await stopAllLibtorrent();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function namespace(): Netns {
  const ns = createNetns();
  cleanups.push(() => ns.remove());
  return ns;
}

const LSD_ON = { SLUICE_LSD: '1' };

describe('Local Service Discovery (BEP 14)', () => {
  it('sluice download finds sluice seed on the LAN from a bare info hash', async () => {
    const ns = namespace();
    const swarm = new Swarm(content(141, 900_000), { prefix: ns.prefix, env: LSD_ON });
    cleanups.push(() => swarm.close());
    const { line } = await swarm.seed([swarm.dataPath, '--no-dht', '--no-webrtc']);
    await swarm.download([line.infoHash, '--no-dht', '--no-webrtc']);
  });

  it('libtorrent finds sluice seed through LSD, and sluice download finds a libtorrent seeder', async () => {
    const ns = namespace();
    const data = content(142, 1_200_000);
    // Sluice seeds, libtorrent (LSD on, no peers given) downloads from a magnet.
    const swarm = new Swarm(data, { prefix: ns.prefix, env: LSD_ON });
    cleanups.push(() => swarm.close());
    const { line } = await swarm.seed([swarm.dataPath, '--no-dht', '--no-webrtc']);
    const ltDir = mkdtempSync(join(tmpdir(), 'sluice-lsd-lt-'));
    cleanups.push(() => rmSync(ltDir, { recursive: true, force: true }));
    const lt = await startLibtorrent({ magnet: `magnet:?xt=urn:btih:${line.infoHash}`, savePath: ltDir, lsd: true, prefix: ns.prefix });
    await lt.waitFor((l) => l.type === 'finished', 60_000);
    expect(Buffer.from(readFileSync(join(ltDir, 'data.bin'))).equals(Buffer.from(data))).toBe(true);

    // The other way: libtorrent seeds what it just downloaded; a fresh sluice download finds it by LSD alone.
    await swarm.close();
    const swarm2 = new Swarm(data, { prefix: ns.prefix, env: LSD_ON });
    cleanups.push(() => swarm2.close());
    await swarm2.download([line.infoHash, '--no-dht', '--no-webrtc']);
  });

  it('--no-lsd is accepted by download and seed, and listed in their usage', () => {
    const help = sluice(['download', '--help']);
    expect(help.stdout + help.stderr).toContain('[--no-lsd]');
    const seedHelp = sluice(['seed', '--help']);
    expect(seedHelp.stdout + seedHelp.stderr).toContain('[--no-lsd]');
  });
});

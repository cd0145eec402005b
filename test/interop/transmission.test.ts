import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, sluiceLong } from '../helpers/cli.js';
import { createNetns, type Netns } from '../helpers/netns.js';
import { requireTool } from '../helpers/tools.js';
import { ALBUM, cleanTemps, hashTree, jsonLines, killChildren, tempDir, track, writeFolder } from './fixture.js';

// Transmission 3.00 (Debian's transmission-cli) refuses peers at 127.0.0.0/8 ("martian" addresses),
// so both sides run in a network namespace of their own whose loopback also carries 10.77.0.1.
const HOST = '10.77.0.1';
// transmission-create leaves empty files out of the torrents it makes.
const FILES = Object.fromEntries(Object.entries(ALBUM).filter(([, length]) => length > 0));

const namespaces: Netns[] = [];
afterEach(async () => {
  await killChildren();
  for (const ns of namespaces.splice(0)) ns.remove();
  cleanTemps();
});

function namespace(): Netns {
  const ns = createNetns({ address: HOST });
  namespaces.push(ns);
  return ns;
}

/** transmission-cli on `torrent`, saving into `dir`, with its own config: no DHT, LPD, uTP or port mapping. */
function transmission(ns: Netns, torrent: string, dir: string, port: number): ChildProcess {
  requireTool('transmission-cli');
  const config = tempDir('transmission-config');
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({
      'dht-enabled': false,
      'lpd-enabled': false,
      'utp-enabled': false,
      'port-forwarding-enabled': false,
      'rpc-enabled': false,
      'bind-address-ipv4': HOST,
      'peer-port': port,
      'message-level': 1,
    }),
  );
  const argv = [...ns.prefix, 'transmission-cli', '-g', config, '-w', dir, '-p', String(port), torrent];
  return track(spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] }));
}

/** Resolves once `dir`'s tree hashes equal `expected` (Transmission writes in place and keeps running). */
async function treeBecomes(dir: string, expected: Record<string, string>, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`transmission-cli exited (${child.exitCode}) before the download completed`);
    try {
      if (JSON.stringify(hashTree(dir)) === JSON.stringify(expected)) return;
    } catch {
      // Not created yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('sluice ↔ Transmission 3.00 (TCP, in a network namespace)', () => {
  it('Transmission downloads a multi-file torrent from sluice seed, finding it through a tracker', async () => {
    const ns = namespace();
    const tracker = sluiceLong(['tracker', '--host', HOST, '--port', '0', '--json'], { prefix: ns.prefix });
    track(tracker.child);
    const announce = (JSON.parse(await tracker.firstLine) as { http: string }).http;
    const src = tempDir('src');
    const album = writeFolder(src, 'album', FILES);
    const torrent = join(tempDir('t'), 'album.torrent');
    const made = sluice(['create', album, '-o', torrent, '--announce', announce, '--piece-length', '65536', '--json']);
    expect(made.status, made.stderr).toBe(0);

    const seed = sluiceLong(['seed', torrent, '--data', src, '--no-dht', '--no-webrtc', '--json', '--state', tempDir('state')], { prefix: ns.prefix });
    track(seed.child);
    await seed.firstLine;
    const out = tempDir('out');
    const peer = transmission(ns, torrent, out, 51413);
    await treeBecomes(join(out, 'album'), hashTree(album), peer).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; sluice seed printed: ${seed.stdout().slice(-600)} ${seed.stderr()}`);
    });
    // Sluice really sent it: its status lines count what it uploaded.
    await expect.poll(() => jsonLines(seed.stdout()).at(-1)?.['uploaded'], { timeout: 5000 }).toBeGreaterThan(3_000_000);
  });

  it('sluice downloads from a Transmission seeder by --peer, byte-identical', async () => {
    const ns = namespace();
    const src = tempDir('src');
    const album = writeFolder(src, 'album', FILES);
    const torrent = join(tempDir('t'), 'album.torrent');
    // Transmission's own creator, so Sluice reads a torrent written by another tool too.
    const made = spawn('transmission-create', ['-o', torrent, '-s', '64', album]);
    expect(await new Promise((r) => made.once('exit', r))).toBe(0);
    const seeder = transmission(ns, torrent, src, 51414);

    const out = tempDir('out');
    mkdirSync(out, { recursive: true });
    const d = sluiceLong(['download', torrent, '--out', out, '--peer', `${HOST}:51414`, '--no-dht', '--no-webrtc', '--json', '--state', tempDir('state')], { prefix: ns.prefix });
    track(d.child);
    expect(await d.exited, d.stderr()).toBe(0);
    expect(jsonLines(d.stdout()).at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(hashTree(join(out, 'album'))).toEqual(hashTree(album));
    expect(seeder.exitCode).toBeNull();
  });
});

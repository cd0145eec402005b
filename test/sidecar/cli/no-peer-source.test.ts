import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sluiceLong } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-no-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASH = '0123456789abcdef0123456789abcdef01234567';

async function warningOf(args: string[]): Promise<string> {
  const run = sluiceLong(['download', ...args, '--no-webrtc', '--json', '--out', join(dir, 'out'), '--state', join(dir, 'state')]);
  await run.firstLine;
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
  return run.stderr();
}

describe('sluice download with no way to find peers', () => {
  it('says so in one warning line on stderr, naming the port it waits on, and keeps waiting', async () => {
    const stderr = await warningOf([HASH, '--no-dht', '--no-lsd']);
    expect(stderr).toMatch(/^sluice: warning: no trackers, DHT, LSD or --peer to find peers with: waiting for peers to connect to port \d+\n$/);
  });

  it('stays quiet when a peer, a tracker or the magnet\'s x.pe gives one', async () => {
    expect(await warningOf([HASH, '--no-dht', '--no-lsd', '--peer', '127.0.0.1:9'])).toBe('');
    expect(await warningOf([HASH, '--no-dht', '--no-lsd', '--tracker', 'http://127.0.0.1:9/announce'])).toBe('');
    expect(await warningOf([`magnet:?xt=urn:btih:${HASH}&x.pe=127.0.0.1:9`, '--no-dht', '--no-lsd'])).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { sluice } from '../../helpers/cli.js';
import { parseArgs } from '../../../sidecar/src/cli/args.js';
import { SWARM_FLAGS, swarmOptions } from '../../../sidecar/src/cli/swarm-options.js';

const HASH = '0123456789abcdef0123456789abcdef01234567';

describe('sluice download and seed: mistakes give one line and status 2', () => {
  const cases: [string, string[], string][] = [
    ['a peer that is not HOST:PORT', ['download', HASH, '--peer', 'localhost'], "sluice: --peer 'localhost' is not HOST:PORT (use [v6]:PORT for IPv6)"],
    ['a tracker with an unknown scheme', ['download', HASH, '--tracker', 'ftp://x/'], "sluice: --tracker 'ftp://x/' must use http, https, udp, ws or wss"],
    ['no swarm at all', ['download', HASH, '--no-tcp', '--no-webrtc'], 'sluice: --no-tcp and --no-webrtc together leave no way to reach peers'],
    ['an unknown encryption policy', ['download', HASH, '--encryption', 'maybe'], "sluice: --encryption must be one of prefer-plaintext, prefer-encrypted, require, got 'maybe'"],
    ['a STUN server that is not a stun: URL', ['seed', '.', '--stun', 'http://x'], "sluice: --stun 'http://x' is not a stun: URL"],
    ['a string that is not an info hash, file or magnet', ['download', 'nope-not-here'], "sluice: cannot read '"],
    ['a rate limit that is not a rate', ['download', HASH, '--download-limit', 'fast'], "sluice: --download-limit must be a rate such as 500K or 2M (bytes per second, 0 for no limit), got 'fast'"],
    ['a negative upload limit', ['seed', '.', '--upload-limit', '-1'], "sluice: --upload-limit must be a rate such as 500K or 2M (bytes per second, 0 for no limit), got '-1'"],
    ['no peers allowed at all', ['download', HASH, '--max-peers', '0'], 'sluice: --max-peers must be between 1 and 10000, got 0'],
  ];
  for (const [what, args, line] of cases) {
    it(what, () => {
      const r = sluice([...args, '--state', '/tmp/sluice-never-used']);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(line)).toBe(true);
    });
  }
});

describe('rate and peer limits reach the session settings', () => {
  const settings = (argv: string[]) => swarmOptions(parseArgs(argv, SWARM_FLAGS)).settings;
  it('reads K, M and G as powers of 1024, with or without a B or /s, and 0 as no limit', () => {
    expect(settings(['--download-limit', '500K', '--upload-limit', '1.5M'])).toEqual({ encryption: 'prefer-plaintext', downloadRateLimit: 512_000, uploadRateLimit: 1_572_864 });
    expect(settings(['--download-limit', '2MiB/s', '--upload-limit', '0'])).toMatchObject({ downloadRateLimit: 2 * 1024 ** 2, uploadRateLimit: 0 });
    expect(settings(['--download-limit', '1g', '--upload-limit', '12345'])).toMatchObject({ downloadRateLimit: 1024 ** 3, uploadRateLimit: 12345 });
    expect(settings(['--max-peers', '7'])).toEqual({ encryption: 'prefer-plaintext', maxConnectionsPerTorrent: 7 });
  });
  it('leaves the defaults alone when no limit is given', () => {
    expect(settings([])).toEqual({ encryption: 'prefer-plaintext' });
  });
});

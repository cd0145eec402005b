import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import {
  SLUICE_PEER_ID_PREFIX,
  azureusPrefix,
  clientName,
  identifyClient,
  makePeerId,
  printablePrefix,
} from '../../src/core/peer-id.js';
import { SLUICE_VERSION } from '../../src/core/version.js';
import { isSluiceError } from '../../src/core/errors.js';
import { run, runPython } from '../helpers/tools.js';

/** A 20-byte id: the given head (a binary string, one char per byte) padded with random-looking bytes. */
function id(head: string): Uint8Array {
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = i < head.length ? head.charCodeAt(i) : (i * 37 + 11) & 0xff;
  return out;
}

describe('identifyClient — Azureus style', () => {
  // Real prefixes, with the version each client writes them for.
  const table: [string, string][] = [
    ['-WW0300-', 'WebTorrent 3.0'], // webtorrent 3.0.21: semver major/minor as two decimal digits each
    ['-WW0016-', 'WebTorrent 0.16'], // webtorrent 0.16.1
    ['-WW0102-', 'WebTorrent 1.2'], // webtorrent 1.2.5
    ['-WD0021-', 'WebTorrent Desktop 0.21'],
    ['-LT2080-', 'libtorrent (Rasterbar) 2.0.8'],
    ['-LT12J0-', 'libtorrent (Rasterbar) 1.2.19'], // J = 19 in libtorrent's fingerprint digits
    ['-lt0D80-', 'libTorrent (Rakshasa) 0.13.8'], // rtorrent 0.9.8
    ['-TR0006-', 'Transmission 0.6'],
    ['-TR0072-', 'Transmission 0.72'],
    ['-TR111Z-', 'Transmission 1.11 (Dev)'],
    ['-TR2940-', 'Transmission 2.94'],
    ['-TR3000-', 'Transmission 3.00'],
    ['-TR400B-', 'Transmission 4.0.0 (Beta)'],
    ['-TR4050-', 'Transmission 4.0.5'],
    ['-TR4Az0-', 'Transmission 4.10.61'],
    ['-qB4630-', 'qBittorrent 4.6.3'],
    ['-qB5010-', 'qBittorrent 5.0.1'],
    ['-UT355W-', 'µTorrent 3.5.5'],
    ['-UT341\0-', 'µTorrent 3.4.1'],
    ['-UT7a5\0-', 'µTorrent 7.10.5'], // hex digits
    ['-UM1870-', 'µTorrent Mac 1.8.7'],
    ['-UW1110Q', 'µTorrent Web 1.1.10'], // a long patch takes the closing dash
    ['-BT791B-', 'BitTorrent 7.9.1 (Beta)'],
    ['-DE211s-', 'Deluge 2.1.1'],
    ['-DE200D-', 'Deluge 2.0.0 (Dev)'],
    ['-DE13F0-', 'Deluge 1.3.15'],
    ['-AZ5770-', 'Vuze 5.7.7.0'],
    ['-BI2300-', 'BiglyBT 2.3.0.0'],
    ['-KT4130-', 'KTorrent 4.1.3'],
    ['-KT33D1-', 'KTorrent 3.3 Dev 1'],
    ['-FD51W\xff-', 'Free Download Manager 5.1.32'],
    ['-FD51@\xff-', 'Free Download Manager 5.1.x'], // undecodable digit
    ['-BC0241-', 'BitComet 2.41'],
    ['-PI0091-', 'PicoTorrent 0.09.1'],
    ['-Lr10X0-', 'LibreTorrent 1.0.33'],
    ['-WS1000-', 'HTTP Seed'],
    ['-SL0100-', 'Sluice 0.1.0'],
  ];
  it.each(table)('%j → %s', (head, label) => {
    const c = identifyClient(id(head));
    expect(c.label).toBe(label);
    expect(c.style).toBe('azureus');
  });

  it('splits name and version', () => {
    expect(identifyClient(id('-qB4630-'))).toEqual({
      name: 'qBittorrent',
      version: '4.6.3',
      label: 'qBittorrent 4.6.3',
      style: 'azureus',
    });
    expect(identifyClient(id('-WS1000-')).version).toBeNull();
  });
});

describe('identifyClient — other styles', () => {
  const table: [string, string, string][] = [
    ['S58B-----', 'Shad0w 5.8.11', 'shadow'],
    ['T03I-----', 'BitTornado 0.3.18', 'shadow'],
    ['M4-3-6--', 'BitTorrent 4.3.6', 'mainline'],
    ['M4-10-1-', 'BitTorrent 4.10.1', 'mainline'],
    ['Q1-23-4-', 'Queen Bee 1.23.4', 'mainline'],
    ['TIX0193-', 'Tixati 1.93', 'other'],
    ['A2-1-18-8-', 'aria2 1.18.8', 'other'],
    ['exbc\x008LORD2\x00\x04\x8e\xce\xd5{\xd7\x10(', 'BitLord 0.56', 'other'],
    ['exbc\x008zDc\x10-n\x9a\xd6r;3\x9f5\xa9', 'BitComet 0.56', 'other'],
  ];
  it.each(table)('%j → %s', (head, label, style) => {
    const c = identifyClient(id(head));
    expect(c.label).toBe(label);
    expect(c.style).toBe(style);
  });

  it('names unknown ids by their printable first 8 bytes', () => {
    expect(clientName(id('-XY1234-'))).toBe('Unknown (-XY1234-)');
    expect(clientName(id('-I\x05O\x08\x03\x01-'))).toBe('Unknown (-I%05O%08%03%01-)');
    expect(clientName(id('%ab\x00-XYZ'))).toBe('Unknown (%25ab%00-XYZ)');
    expect(printablePrefix(id('\xff\x7f\x20'))).toMatch(/^%FF%7F /);
    // Shad0w style needs '---' after the version; a lookalike without it is unknown.
    expect(identifyClient(id('S58B--x--')).style).toBe('unknown');
    expect(clientName(new Uint8Array(0))).toBe('Unknown ()');
    expect(clientName(new Uint8Array([0x2d, 0x57]))).toBe('Unknown (-W)');
  });

  it('never throws and always answers with printable text, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const c = identifyClient(bytes);
        expect(c.label.length).toBeGreaterThan(0);
        expect(c.label).toMatch(/^[\x20-\x7eµ]+$/);
      }),
    );
  });

  it('reads the Azureus code and version of arbitrary known-prefix ids without throwing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('WW', 'LT', 'lt', 'TR', 'qB', 'UT', 'UM', 'BT', 'DE', 'AZ', 'BI', 'KT', 'FD', 'SL', 'BC', 'PI'),
        fc.uint8Array({ minLength: 17, maxLength: 17 }),
        (code, rest) => {
          const bytes = new Uint8Array([0x2d, code.charCodeAt(0), code.charCodeAt(1), ...rest]);
          expect(identifyClient(bytes).style).toBe('azureus');
        },
      ),
    );
  });
});

describe('identifyClient — ids made by the real clients', () => {
  it('names the installed WebTorrent from the peer id it generates', () => {
    const script = `import WebTorrent from 'webtorrent';
      const c = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, natUpnp: false, natPmp: false });
      console.log(c.peerId); c.destroy();`;
    const hex = run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), timeoutMs: 30_000 }).trim();
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
    const version = (createRequire(import.meta.url)('webtorrent/package.json') as { version: string }).version;
    const [major, minor] = version.split('.').map(Number);
    expect(bytes).toHaveLength(20);
    expect(identifyClient(bytes)).toMatchObject({ name: 'WebTorrent', version: `${major}.${minor}`, style: 'azureus' });
  });

  it('names Debian’s libtorrent from its peer fingerprint', () => {
    const out = runPython(
      "import libtorrent as lt\ns = lt.session({'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False, 'listen_interfaces': '127.0.0.1:0'})\nprint(s.get_settings()['peer_fingerprint'])\nprint(lt.__version__)",
    ).trim();
    const [fingerprint, version] = out.split('\n');
    const [major, minor, patch] = version!.split('.');
    expect(identifyClient(id(fingerprint!)).label).toBe(`libtorrent (Rasterbar) ${major}.${minor}.${patch}`);
  });
});

describe('makePeerId', () => {
  it('is -SL0100- (Sluice 0.1.0, from src/core/version.ts) plus 12 printable characters from the random bytes', () => {
    expect(SLUICE_VERSION).toBe('0.1.0');
    expect(SLUICE_PEER_ID_PREFIX).toBe('-SL0100-');
    const random = Uint8Array.from([0, 1, 9, 10, 35, 36, 61, 62, 63, 64, 255, 128]);
    const peerId = makePeerId(random);
    expect(String.fromCharCode(...peerId)).toBe('-SL0100-019AZaz-_0_0');
    expect(clientName(peerId)).toBe('Sluice 0.1.0');
  });

  it('uses only the first 12 random bytes and always yields 20 URL-safe bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 32 }), (random) => {
        const peerId = makePeerId(random);
        expect(peerId).toHaveLength(20);
        expect(String.fromCharCode(...peerId)).toMatch(/^-SL0100-[0-9A-Za-z_-]{12}$/);
        expect(makePeerId(random.slice(0, 12))).toEqual(peerId);
      }),
    );
  });

  it('refuses fewer than 12 random bytes with a typed error', () => {
    try {
      makePeerId(new Uint8Array(11));
      expect.unreachable();
    } catch (e) {
      expect(isSluiceError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('peer-id/not-enough-randomness');
      expect((e as Error).message).toBe('a peer id needs 12 random bytes, got 11');
    }
  });

  it('encodes versions as libtorrent fingerprint digits', () => {
    expect(azureusPrefix('SL', '1.12.0')).toBe('-SL1C00-');
    expect(azureusPrefix('SL', '2.0.35-beta')).toBe('-SL20Z0-');
    expect(() => azureusPrefix('SL', '1.36.0')).toThrow('cannot encode SL 1.36.0 in a peer id prefix');
    expect(() => azureusPrefix('SLX', '1.0.0')).toThrow();
  });
});

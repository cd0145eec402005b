import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { sluice } from '../../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'torrents');

describe('sluice info', () => {
  it('prints exactly one JSON object with the documented fields for a multi-file torrent', () => {
    const r = sluice(['info', join(FIXTURES, 'mktorrent-multi.torrent'), '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const info = JSON.parse(r.stdout);
    expect(Object.keys(info)).toEqual(['infoHash', 'infoHashV2', 'name', 'length', 'pieceLength', 'pieces', 'private', 'files', 'announce', 'urlList']);
    expect(info).toMatchObject({
      infoHash: '71f62c7106f64bbae3e0c14519ebdd887240b0c4',
      infoHashV2: null,
      name: 'album',
      length: 109000,
      pieceLength: 32768,
      pieces: 4,
      private: true,
    });
    expect(info.files[0]).toEqual({ path: 'a.txt', length: 1000, offset: 0 });
    expect(info.files[1]).toEqual({ path: 'c.bin', length: 33000, offset: 1000 });
  });

  it('leaves padding files out and gives both hashes for a hybrid torrent', () => {
    const r = sluice(['info', join(FIXTURES, 'libtorrent-hybrid.torrent'), '--json']);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.infoHash).toBe('5e496d28f17dfe3e3a238f3dc776fa1a435b4fbe');
    expect(info.infoHashV2).toBe('0303debf2444d6e4618a7285d42c86db8ae2cbaea9cb7c14277e1c33f668b114');
    expect(info.files.map((f: { path: string }) => f.path).some((p: string) => p.startsWith('.pad'))).toBe(false);
    expect(info.files.find((f: { path: string }) => f.path === 'c.bin')).toEqual({ path: 'c.bin', length: 33000, offset: 16384 });
  });

  it('gives the truncated SHA-256 as infoHash for a v2-only torrent', () => {
    const info = JSON.parse(sluice(['info', join(FIXTURES, 'libtorrent-v2.torrent'), '--json']).stdout);
    expect(info.infoHashV2).toMatch(/^[0-9a-f]{64}$/);
    expect(info.infoHash).toBe(info.infoHashV2.slice(0, 40));
  });

  it('prints a summary for a person by default', () => {
    const r = sluice(['info', join(FIXTURES, 'transmission-single.torrent')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Name:         sample.bin');
    expect(r.stdout).toContain('Info hash:    ab03d6ad9ee5a1605eb688a9427408aba8556757');
    expect(r.stdout).toMatch(/Size:\s+39\.1 KiB \(40000 bytes\) in 1 file/);
  });

  it('gives the fields a magnet has', () => {
    const magnet = 'magnet:?xt=urn:btih:71f62c7106f64bbae3e0c14519ebdd887240b0c4&dn=album&tr=udp%3A%2F%2F127.0.0.1%3A6970&ws=http%3A%2F%2F127.0.0.1%2Fs%2F';
    const r = sluice(['info', magnet, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      infoHash: '71f62c7106f64bbae3e0c14519ebdd887240b0c4',
      infoHashV2: null,
      name: 'album',
      announce: ['udp://127.0.0.1:6970'],
      urlList: ['http://127.0.0.1/s/'],
    });
  });

  describe('mistakes give one line on stderr and exit status 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-info-'));
    const cases: [string, string[], RegExp][] = [
      ['a missing file', ['info', join(dir, 'nope.torrent')], /^sluice: cannot read '.*nope\.torrent': no such file or directory$/],
      ['an unknown option', ['info', join(FIXTURES, 'mktorrent-single.torrent'), '--jsn'], /^sluice: unknown option '--jsn'; did you mean --json\?$/],
      ['no argument', ['info'], /^sluice: missing the torrent file or magnet link/],
      ['an unknown command', ['infoo'], /^sluice: unknown command 'infoo'/],
      ['a magnet without a hash', ['info', 'magnet:?dn=x'], /^sluice: /],
    ];
    for (const [what, args, line] of cases) {
      it(what, () => {
        const r = sluice(args);
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr.trimEnd()).toMatch(line);
      });
    }

    it('a file that is not a torrent, named in the line, for info, download and seed alike (before any port opens)', () => {
      const p = join(dir, 'not.torrent');
      writeFileSync(p, 'hello, I am text');
      for (const args of [['info', p], ['download', p, '--no-dht', '--out', join(dir, 'out')], ['seed', p, '--no-dht']]) {
        const r = sluice(args);
        expect(r.status, args[0]).toBe(2);
        expect(r.stderr, args[0]).toBe(`sluice: '${p}' is not a valid torrent file: unexpected byte 0x68 at offset 0\n`);
        expect(r.stdout, args[0]).toBe('');
      }
    });

    it('a torrent with a path that escapes its folder', () => {
      const bytes = readFileSync(join(FIXTURES, 'mktorrent-multi.torrent'));
      const evil = encodeBencode({
        announce: 'http://127.0.0.1/announce',
        info: { name: 'x', 'piece length': 16384, pieces: new Uint8Array(20), files: [{ length: 10, path: ['..', 'etc', 'passwd'] }] },
      });
      expect(bytes.length).toBeGreaterThan(0);
      const p = join(dir, 'evil.torrent');
      writeFileSync(p, evil);
      const r = sluice(['info', p]);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/\.\./);
    });
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { content } from '../../helpers/engine.js';
import { sluice, sluiceLong } from '../../helpers/cli.js';
import { startRangeServer, type RangeServer } from './range-server.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('sluice download from a web seed (BEP 19)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-ws-dl-'));
  const served = join(root, 'served');
  mkdirSync(join(served, 'album', 'sub'), { recursive: true });
  writeFileSync(join(served, 'album', 'a.bin'), content(1, 300_001));
  writeFileSync(join(served, 'album', 'sub', 'b c.bin'), content(2, 123_457));
  let server: RangeServer | null = null;
  afterAll(async () => {
    await server?.close();
  });

  for (const misbehaviour of ['none'] as const) {
    it('completes with no peers at all, every file byte-identical', async () => {
      server ??= await startRangeServer(served);
      const torrent = join(root, `album-${misbehaviour}.torrent`);
      const made = sluice(['create', join(served, 'album'), '-o', torrent, '--webseed', `${server.url}`, '--piece-length', '16K', '--json']);
      expect(made.status, made.stderr).toBe(0);
      const out = join(root, `out-${misbehaviour}`);
      const dl = sluiceLong(['download', torrent, '--out', out, '--no-dht', '--json', '--state', join(root, `state-${misbehaviour}`)]);
      const code = await dl.exited;
      expect(code, dl.stderr()).toBe(0);
      const lines = dl.stdout().trim().split('\n').map((l) => JSON.parse(l) as { state: string });
      expect(lines.at(-1)!.state).toBe('done');
      expect(sha256(join(out, 'album', 'a.bin'))).toBe(sha256(join(served, 'album', 'a.bin')));
      expect(sha256(join(out, 'album', 'sub', 'b c.bin'))).toBe(sha256(join(served, 'album', 'sub', 'b c.bin')));
      expect(server.requests.some((r) => r.range !== undefined)).toBe(true);
    });
  }
});

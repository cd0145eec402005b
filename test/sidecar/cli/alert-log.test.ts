import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { describeAlert, formatLogLine } from '../../../sidecar/src/cli/alert-log.js';

const HASH = '0123456789abcdef0123456789abcdef01234567';
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const TIME = '2025-01-02T03:04:05.678Z';
const at = { now: NOW, name: 'album', client: null };

/** The text line of an alert, as --log and --verbose write it. */
function line(alert: Alert, context: { name: string | null; client: string | null } = at): string {
  return formatLogLine(describeAlert(alert, { now: NOW, ...context })!);
}

describe('the event log: what each alert becomes', () => {
  it('names the torrent, the peer and its client, and why a peer was dropped', () => {
    const dropped: Alert = { type: 'peer-disconnected', infoHash: HASH, address: '10.0.0.2:51413', reason: 'peer sent bitfield after other messages' };
    expect(describeAlert(dropped, { now: NOW, name: 'album', client: 'libtorrent 2.0.9' })).toEqual({
      entry: { event: 'peer-disconnected', time: TIME, infoHash: HASH, name: 'album', peer: '10.0.0.2:51413', client: 'libtorrent 2.0.9', reason: 'peer sent bitfield after other messages' },
      detail: 'peer sent bitfield after other messages',
    });
    expect(line(dropped, { name: 'album', client: 'libtorrent 2.0.9' })).toBe(
      `${TIME} peer-disconnected album [01234567] 10.0.0.2:51413 (libtorrent 2.0.9): peer sent bitfield after other messages`,
    );
  });

  it('gives every logged alert a line of its own', () => {
    const cases: [Alert, string][] = [
      [{ type: 'torrent-added', infoHash: HASH }, `${TIME} torrent-added album [01234567]`],
      [{ type: 'peer-connected', infoHash: HASH, address: '[::1]:6881', client: 'qBittorrent 4.6.0' }, `${TIME} peer-connected album [01234567] [::1]:6881 (qBittorrent 4.6.0)`],
      [{ type: 'peer-disconnected', infoHash: HASH, address: '10.0.0.2:1', reason: null }, `${TIME} peer-disconnected album [01234567] 10.0.0.2:1: closed without an error`],
      [{ type: 'peer-banned', infoHash: HASH, address: '10.0.0.3:1', reason: 'sent 3 corrupt pieces' }, `${TIME} peer-banned album [01234567] 10.0.0.3:1: banned: sent 3 corrupt pieces`],
      [{ type: 'piece-failed', infoHash: HASH, piece: 7, peers: ['10.0.0.3:1', '10.0.0.4:2'] }, `${TIME} piece-failed album [01234567]: piece 7 failed its hash check (from 10.0.0.3:1, 10.0.0.4:2)`],
      [{ type: 'tracker-reply', infoHash: HASH, url: 'udp://t:1', peers: 1 }, `${TIME} tracker-reply album [01234567]: udp://t:1: 1 peer`],
      [{ type: 'tracker-error', infoHash: HASH, url: 'http://t/a', message: 'timed out' }, `${TIME} tracker-error album [01234567]: http://t/a: timed out`],
      [{ type: 'web-seed-error', infoHash: HASH, url: 'http://w/x', message: 'web seed answered 404 for w/x' }, `${TIME} web-seed-error album [01234567]: web seed http://w/x: web seed answered 404 for w/x`],
      [{ type: 'web-seed-working', infoHash: HASH, url: 'http://w/x' }, `${TIME} web-seed-working album [01234567]: web seed http://w/x is sending`],
      [{ type: 'torrent-error', infoHash: HASH, code: 'storage/no-space', message: 'disk full' }, `${TIME} torrent-error album [01234567]: disk full (storage/no-space)`],
      [{ type: 'state-changed', infoHash: HASH, state: 'seeding' }, `${TIME} state-changed album [01234567]: now seeding`],
      [{ type: 'torrent-checked', infoHash: HASH, havePieces: 12 }, `${TIME} torrent-checked album [01234567]: 12 pieces verified on disk`],
      [{ type: 'metadata-received', infoHash: HASH }, `${TIME} metadata-received album [01234567]`],
      [{ type: 'resume-data-saved', infoHash: HASH }, `${TIME} resume-data-saved album [01234567]`],
      [{ type: 'torrent-finished', infoHash: HASH }, `${TIME} torrent-finished album [01234567]`],
    ];
    for (const [alert, text] of cases) expect(line(alert)).toBe(text);
  });

  it('shows the info hash where the name is not known yet (a magnet before its metadata)', () => {
    expect(line({ type: 'torrent-added', infoHash: HASH }, { name: null, client: null })).toBe(`${TIME} torrent-added ${HASH} [01234567]`);
    expect(describeAlert({ type: 'torrent-added', infoHash: HASH }, { now: NOW, name: null, client: null })!.entry).toEqual({ event: 'torrent-added', time: TIME, infoHash: HASH });
  });

  it('leaves out the per-piece and progress alerts', () => {
    expect(describeAlert({ type: 'piece-verified', infoHash: HASH, piece: 1 }, at)).toBeNull();
    expect(describeAlert({ type: 'check-progress', infoHash: HASH, checkedBytes: 1, totalBytes: 2 }, at)).toBeNull();
  });

  it('keeps a hostile client name or reason on one line, with no terminal escapes', () => {
    const alert: Alert = { type: 'peer-connected', infoHash: HASH, address: '10.0.0.9:1', client: 'evil\n2025 fake-line\x1b[2J' };
    expect(line(alert)).toBe(`${TIME} peer-connected album [01234567] 10.0.0.9:1 (evil 2025 fake-line [2J)`);
  });
});

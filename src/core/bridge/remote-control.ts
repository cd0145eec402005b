import type { AddTorrentOptions, Session } from '../engine/session.js';
import type { Torrent } from '../engine/torrent.js';
import { SluiceError } from '../errors.js';
import { CONTROL_LIMITS, type ControlMessage, type RemoteFile, type RemoteTorrentEntry } from './control.js';
import { resolveJoin } from './join-source.js';
import type { Hasher } from '../ports/hasher.js';
import type { PersistedTorrents } from '../persist/persisted-torrents.js';

export class RemoteControlError extends SluiceError<'remote/unknown-torrent' | 'remote/paused'> {}

type RemoteRequest = Extract<ControlMessage, { type: 'remote' }>;

/**
 * Remote mode on the sidecar: the app lists the sidecar's own Session (torrents added on its command
 * line, by another browser, or joined for one) and adds, pauses, resumes and removes them, as
 * qBittorrent's Web UI drives its daemon. One instance is shared by every bridge connection, so a
 * pause one browser asked for holds against another browser's automatic join.
 */
export class RemoteControl {
  /** Torrents paused through remote mode: a browser's join does not resume them behind the person's back. */
  private readonly held = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly hasher: Hasher,
    private readonly addOptions: AddTorrentOptions = {},
    /** The sidecar's kept torrent list: adds, pauses and removes are on disk before they are answered. */
    private readonly kept: PersistedTorrents | null = null,
  ) {}

  /** Whether a person paused this torrent through remote mode (and has not resumed it), in this run or before a restart. */
  isHeld(infoHash: string): boolean {
    return this.held.has(infoHash) || (this.kept?.isPaused(infoHash) ?? false);
  }

  list(): RemoteTorrentEntry[] {
    return this.session
      .torrents()
      .slice(0, CONTROL_LIMITS.statusTorrents)
      .map((t) => {
        const s = t.status();
        return {
          infoHash: t.infoHashHex,
          name: s.name.slice(0, CONTROL_LIMITS.name),
          // A paused torrent still waiting for its metadata says so, not 'metadata'.
          state: s.state === 'metadata' && this.isHeld(t.infoHashHex) ? 'paused' : s.state,
          progress: s.progress,
          peers: s.peers,
          downloadRate: s.downloadRate,
          uploadRate: s.uploadRate,
          size: s.totalBytes,
          files: filesOf(t),
        };
      });
  }

  /** Carries out one request; resolves to the torrent's info hash, or throws a SluiceError. */
  async act(request: RemoteRequest): Promise<string> {
    if (request.action === 'add') {
      const { source, key } = await resolveJoin(request.source!, this.hasher);
      if (this.session.torrent(key)) return key;
      const torrent = await this.session.addTorrent(source, this.addOptions);
      // The list's follower recorded it as it was added; answered once that is written.
      await this.kept?.settled();
      return torrent.infoHashHex;
    }
    const infoHash = request.infoHash!;
    const torrent = this.session.torrent(infoHash);
    if (!torrent) throw new RemoteControlError('remote/unknown-torrent', `the sidecar has no torrent ${infoHash}`);
    switch (request.action) {
      case 'pause':
        this.held.add(infoHash);
        torrent.pause();
        await this.kept?.setPaused(torrent, true);
        break;
      case 'resume':
        this.held.delete(infoHash);
        torrent.resume();
        await this.kept?.setPaused(torrent, false);
        break;
      case 'remove':
        this.held.delete(infoHash);
        await this.session.removeTorrent(infoHash, { deleteData: request.deleteData });
        await this.kept?.removed(infoHash, request.deleteData);
        break;
    }
    return infoHash;
  }
}

function filesOf(torrent: Torrent): RemoteFile[] {
  const meta = torrent.metainfo;
  if (!meta) return [];
  const statuses = torrent.files();
  const out: RemoteFile[] = [];
  let number = 0;
  for (let i = 0; i < meta.files.length && out.length < CONTROL_LIMITS.remoteFiles; i++) {
    const file = meta.files[i]!;
    if (file.padding) continue;
    number++;
    const length = file.length;
    out.push({ number, path: file.path.join('/').slice(0, CONTROL_LIMITS.name), length, done: Math.min(length, Math.round((statuses[i]?.progress ?? 0) * length)) });
  }
  return out;
}

import { useEffect, useState } from 'react';
import { mediaKind, sidecarStreamUrl, type BridgeView, type EngineClient } from '../../browser/client/index.js';
import { formatBytes, formatPercent } from '../format.js';

type SidecarAction = 'add' | 'pause' | 'resume' | 'remove';

/**
 * Remote mode: the sidecar's own torrents (added on `sluice serve`'s command line, by a browser, or
 * here), as qBittorrent's Web UI shows its daemon's. Add, pause, resume, remove; each file streams
 * from the sidecar's own `/stream/...` URL. Each torrent carries data-remote-infohash, data-state and
 * data-progress for people's scripts and for tests. Shown only while the bridge is connected.
 */
export function SidecarTorrents({ client, view }: { readonly client: EngineClient; readonly view: BridgeView | null }) {
  const [link, setLink] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);
  const torrents = view?.sidecarTorrents ?? [];
  const base = view?.streamBase ?? null;
  useEffect(() => {
    if (playing && !torrents.some((t) => playing.includes(`/${t.infoHash}/`))) setPlaying(null);
  }, [playing, torrents]);
  if (!base) return null;

  // A failure is said as the main list says its own: what was asked, then the engine's or the sidecar's reason.
  const act = (action: SidecarAction, args: { infoHash?: string; input?: string; torrent?: Uint8Array; deleteData?: boolean }, what: string) =>
    void client.call('sidecar', { action, ...args }).then((o) => setFailure(o.ok ? null : `Could not ${what}: ${o.error.message}`));
  const labelOf = (t: { readonly name: string; readonly infoHash: string }) => t.name || t.infoHash;
  const addFile = (file: File) =>
    file.arrayBuffer().then(
      (bytes) => act('add', { torrent: new Uint8Array(bytes) }, `add ${file.name} to the sidecar`),
      (err: unknown) => setFailure(`Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`),
    );

  return (
    <section className="sidecar" data-remote={torrents.length}>
      <h2>On the sidecar</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (link.trim() === '') return;
          act('add', { input: link }, 'add it to the sidecar');
          setLink('');
        }}
      >
        <input name="sidecar-link" placeholder="magnet link or info hash" value={link} onChange={(e) => setLink(e.currentTarget.value)} />
        <button type="submit">Add to the sidecar</button>
        <label>
          Add torrent file to the sidecar
          <input
            type="file"
            accept=".torrent,application/x-bittorrent"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void addFile(file);
            }}
          />
        </label>
      </form>
      {failure ? <p className="error" role="alert">{failure}</p> : null}
      {playing ? <video className="sidecar-player" src={playing} controls autoPlay muted /> : null}
      <ul className="torrents">
        {torrents.map((t) => (
          <li key={t.infoHash} className="torrent" data-remote-infohash={t.infoHash} data-state={t.state} data-progress={String(t.progress)}>
            <div className="name">{t.name || t.infoHash}</div>
            <div className="line">
              <span className="state">{t.state}</span> · {formatPercent(t.progress)} of {formatBytes(t.size)} · {t.peers} peers · ↓ {formatBytes(t.downloadRate)}/s · ↑ {formatBytes(t.uploadRate)}/s
            </div>
            <div className="actions">
              {t.state === 'paused' ? <button onClick={() => act('resume', { infoHash: t.infoHash }, `resume ${labelOf(t)} on the sidecar`)}>Resume</button> : <button onClick={() => act('pause', { infoHash: t.infoHash }, `pause ${labelOf(t)} on the sidecar`)}>Pause</button>}
              <button onClick={() => act('remove', { infoHash: t.infoHash }, `remove ${labelOf(t)} from the sidecar`)}>Remove</button>
              <button onClick={() => act('remove', { infoHash: t.infoHash, deleteData: true }, `remove ${labelOf(t)} and its data from the sidecar`)}>Remove with data</button>
            </div>
            <ul className="files">
              {t.files.map((f) => {
                const url = sidecarStreamUrl(base, t.infoHash, f.number, f.path);
                const playable = mediaKind(f.path) === 'video' || mediaKind(f.path) === 'audio';
                return (
                  <li key={f.number} data-remote-file={f.number}>
                    <a href={url} target="_blank" rel="noreferrer">
                      {f.path}
                    </a>{' '}
                    ({formatBytes(f.length)}, {formatPercent(f.length === 0 ? 1 : f.done / f.length)})
                    {playable ? <button onClick={() => setPlaying(url)}>Play</button> : null}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

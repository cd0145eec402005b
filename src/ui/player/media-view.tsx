import { useEffect, useRef, useState } from 'react';
import { fileToPlay, streamUrlOf, type EngineClient, type FileStatus, type TorrentView } from '../../browser/client/index.js';
import { formatBytes, formatPercent } from '../format.js';

interface Props {
  readonly client: EngineClient;
  readonly torrent: TorrentView;
  /** Resolves once the Service Worker controls the page: stream URLs work from then on. */
  readonly streaming: Promise<void>;
}

/**
 * What a torrent holds, opened: the largest video or audio file plays at once in a media element
 * whose src is its stream URL (muted if the autoplay policy wants that), an image is shown, and every
 * finished file is a download link to its stream URL (`?download`: as an attachment), which the
 * Service Worker answers from storage piece by piece (never a copy of the file in memory).
 */
export function MediaView({ client, torrent, streaming }: Props) {
  const [files, setFiles] = useState<readonly FileStatus[]>([]);
  const [ready, setReady] = useState(false);
  const hasMetadata = torrent.state !== 'metadata';

  useEffect(() => {
    let live = true;
    void streaming.then(() => live && setReady(true));
    return () => void (live = false);
  }, [streaming]);

  // The file list (with each file's progress) follows the torrent's progress.
  useEffect(() => {
    if (!hasMetadata) return;
    let live = true;
    void client.call('files', { infoHash: torrent.infoHash }).then((outcome) => {
      if (live && outcome.ok) setFiles(outcome.value);
    });
    return () => void (live = false);
  }, [client, torrent.infoHash, hasMetadata, torrent.progress]);

  if (!hasMetadata) return <p className="media-note">Fetching the torrent's metadata…</p>;
  const pick = fileToPlay(files);
  const url = (file: FileStatus) => streamUrlOf(torrent.infoHash, files, file);
  return (
    <section className="media" aria-label={`Contents of ${torrent.name || torrent.infoHash}`}>
      {/* Which torrent this is: the panel sits above the list, apart from the torrent's own row. */}
      <h2 className="media-title">
        <span className="media-title-label">Opened</span> {torrent.name || torrent.infoHash}
      </h2>
      {pick && ready ? (
        pick.kind === 'image' ? (
          <img className="media-image" src={url(pick.file)} alt={pick.file.path} />
        ) : (
          <AutoplayMedia key={url(pick.file)} kind={pick.kind} src={url(pick.file)} title={pick.file.path} />
        )
      ) : null}
      {pick && !ready ? <p className="media-note">Starting the streaming service…</p> : null}
      <ul className="files">
        {files.map((f) => (
          <li key={f.index} data-file-progress={String(f.progress)}>
            {f.progress >= 1 ? (
              <a href={`${url(f)}?download`} data-download={f.path.split('/').pop()}>
                {f.path}
              </a>
            ) : (
              <span>{f.path}</span>
            )}{' '}
            <span className="file-size">
              {formatBytes(f.length)}
              {f.progress < 1 ? ` · ${formatPercent(f.progress)}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A video or audio element that starts by itself: with sound if the browser allows, else muted. */
function AutoplayMedia({ kind, src, title }: { readonly kind: 'video' | 'audio'; readonly src: string; readonly title: string }) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const [muted, setMuted] = useState(false);
  // The browser's own controls come once there is a frame: building them (their icons are SVG images,
  // decoded and painted on the page's main thread, which also carries the player's network data) cost
  // that thread 145 ms right when the player's first range request was answered.
  const [controls, setControls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.play().catch((err: unknown) => {
      // The autoplay policy refuses sound without a gesture on this page; muted playback is allowed.
      if (err instanceof DOMException && err.name === 'NotAllowedError') {
        el.muted = true;
        setMuted(true);
        void el.play().catch(() => {});
      }
    });
  }, [src]);
  const Tag = kind;
  return (
    <figure className="player">
      <Tag
        ref={ref}
        src={src}
        controls={controls}
        playsInline
        preload="auto"
        title={title}
        data-stream-src={src}
        onLoadedData={() => setControls(true)}
        onError={() => setControls(true)}
      />
      <figcaption>
        {title}
        {muted ? (
          <button
            onClick={() => {
              if (ref.current) ref.current.muted = false;
              setMuted(false);
            }}
          >
            Unmute
          </button>
        ) : null}
      </figcaption>
    </figure>
  );
}

import { useEffect, useState } from 'react';
import type { EngineClient } from '../browser/client/index.js';
import { addTorrentFiles, isTorrentFile, seedFiles, type Feedback } from './commands.js';
import { droppedFiles } from './dropped-items.js';

/**
 * Drag and drop anywhere on the page: .torrent files are added; anything else (files, folders) is
 * made into one torrent and seeded. While something is dragged over the page, an overlay says which.
 */
export function DropZone({ client, feedback }: { readonly client: EngineClient; readonly feedback: Feedback }) {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let depth = 0;
    const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      void droppedFiles(e.dataTransfer).then(
        ({ files, paths }) => {
          if (files.length > 0 && files.every(isTorrentFile)) return addTorrentFiles(client, files, feedback);
          return seedFiles(client, files, feedback, paths);
        },
        (err: unknown) => feedback.error(`Could not read what was dropped: ${err instanceof Error ? err.message : String(err)}`),
      );
    };
    addEventListener('dragenter', onEnter);
    addEventListener('dragover', onOver);
    addEventListener('dragleave', onLeave);
    addEventListener('drop', onDrop);
    return () => {
      removeEventListener('dragenter', onEnter);
      removeEventListener('dragover', onOver);
      removeEventListener('dragleave', onLeave);
      removeEventListener('drop', onDrop);
    };
  }, [client, feedback]);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <strong>Drop to add or seed</strong>
        <span>.torrent files are opened; other files and folders become a new torrent you seed</span>
      </div>
    </div>
  );
}

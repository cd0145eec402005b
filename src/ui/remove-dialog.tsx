import { useEffect, useRef } from 'react';

/**
 * "Remove with data" asks first: a modal dialog (Escape or Cancel keeps everything) naming the torrent
 * and saying the downloaded files go too.
 */
export function RemoveDialog({ name, onConfirm, onClose }: { readonly name: string; readonly onConfirm: () => void; readonly onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog confirm" aria-labelledby="remove-title" onClose={onClose}>
      <h2 id="remove-title">Delete “{name}” and its data?</h2>
      <p>The torrent is removed and its downloaded files are deleted from this browser. This cannot be undone.</p>
      <div className="dialog-actions">
        <button type="button" className="button" autoFocus onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className="button danger"
          onClick={() => {
            onConfirm();
            ref.current?.close();
          }}
        >
          Delete data
        </button>
      </div>
    </dialog>
  );
}

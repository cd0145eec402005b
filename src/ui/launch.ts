import { forgetSharedFiles, takeSharedFiles, type EngineClient, type Outcome, type TorrentInput } from '../browser/client/index.js';
import { torrentFromAddress } from './address.js';

/** What the launch handlers bring: a torrent to add (its outcome), or an error in words. */
export interface LaunchHandlers {
  readonly onAdded: (outcome: Outcome<{ readonly infoHash: string }>) => void;
  readonly onError: (message: string) => void;
}

interface LaunchParams {
  readonly targetURL?: string;
  readonly files: readonly FileSystemHandle[];
}

/**
 * The installed app's ways in besides its address: files shared to it (`/?share=<id>`, left by the
 * Service Worker), a share that brought nothing usable (`/?share-error=`), and the launch queue of
 * `file_handlers` (.torrent files) and of `protocol_handlers` (a magnet: the target URL is
 * `/?add=<magnet>`), which `launch_handler: focus-existing` delivers to the window already open.
 */
export function handleLaunches(client: EngineClient, handlers: LaunchHandlers): void {
  // The launched torrent is opened and its media plays at once (MediaView).
  const add = (input: TorrentInput) => void client.call('add', { input, play: true }).then(handlers.onAdded);
  const params = new URLSearchParams(location.search);
  const shareError = params.get('share-error');
  if (shareError) handlers.onError(shareError);
  const shareId = params.get('share');
  if (shareId) {
    void takeSharedFiles(shareId).then(async (files) => {
      if (files.length === 0) return handlers.onError('the shared files were not found; share them again');
      const outcome = await client.call('seed', { files });
      handlers.onAdded(outcome);
      if (outcome.ok) await forgetSharedFiles(shareId);
    });
  }
  const queue = (window as { launchQueue?: { setConsumer(consumer: (params: LaunchParams) => void): void } }).launchQueue;
  queue?.setConsumer((launch) => {
    for (const handle of launch.files) {
      if (handle.kind !== 'file') continue;
      void (handle as FileSystemFileHandle)
        .getFile()
        .then((file) => file.arrayBuffer())
        .then((bytes) => add({ torrent: new Uint8Array(bytes) }), (err: unknown) => handlers.onError(`could not open the file: ${String(err)}`));
    }
    // The first launch's target is the page's own address, which the app has already read.
    if (launch.targetURL && launch.targetURL !== location.href) {
      const input = torrentFromAddress(new URL(launch.targetURL));
      if (input) add(input);
    }
  });
}

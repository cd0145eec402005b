import type { EngineClient, TorrentInput } from '../browser/client/index.js';

/** Where the outcome of what the person asked for goes: words for failures, the torrent for successes. */
export interface Feedback {
  readonly error: (message: string) => void;
  readonly added: (infoHash: string) => void;
  /** A "Seed files" torrent exists: its magnet can be shared. */
  readonly seeded: (infoHash: string, magnet: string) => void;
  /** The person is adding something: the moment to ask the browser to keep the site's data. */
  readonly adding: () => void;
}

/** Adds one torrent; true when the engine has it (new or already there). */
export async function addTorrent(client: EngineClient, input: TorrentInput, feedback: Feedback, what = 'the torrent'): Promise<boolean> {
  feedback.adding();
  // Every torrent the person adds here is opened, and its media plays at once (MediaView).
  const outcome = await client.call('add', { input, play: true });
  if (!outcome.ok) {
    feedback.error(`Could not add ${what}: ${outcome.error.message}`);
    return false;
  }
  feedback.added(outcome.value.infoHash);
  return true;
}

/** Adds each .torrent file. */
export async function addTorrentFiles(client: EngineClient, files: readonly File[], feedback: Feedback): Promise<void> {
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      feedback.error(`Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    await addTorrent(client, { torrent: bytes }, feedback, file.name);
  }
}

/** Makes one torrent of the files (hashed in the worker; the job shows its progress), then seeds it. */
export async function seedFiles(client: EngineClient, files: readonly File[], feedback: Feedback, paths?: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  feedback.adding();
  const outcome = await client.call('seed', { files, ...(paths ? { paths } : {}) });
  if (!outcome.ok) feedback.error(`Could not seed ${files.length === 1 ? files[0]!.name : `${files.length} files`}: ${outcome.error.message}`);
  else feedback.seeded(outcome.value.infoHash, outcome.value.magnet);
}

export function isTorrentFile(file: File): boolean {
  return /\.torrent$/i.test(file.name) || file.type === 'application/x-bittorrent';
}

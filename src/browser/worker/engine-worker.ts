/**
 * The engine worker's entry (built by Vite: `new Worker(new URL('./engine-worker.ts', import.meta.url),
 * { type: 'module' })`). It waits for the page's `init`, then runs the engine until the page ends it.
 */
import type { PageMessage, WorkerMessage } from '../client/protocol.js';
import { webCryptoHasher } from '../hash/webcrypto-hasher.js';
import { EngineState } from '../persist/engine-state.js';
import { chooseStorage } from '../storage/choose-storage.js';
import { EngineHost, type EnginePorts } from './engine-host.js';

/** Where the engine stores pieces (OPFS, else IndexedDB), how it hashes, and where its torrent list is kept. */
const ports: EnginePorts = { storage: chooseStorage(), hasher: webCryptoHasher, state: new EngineState() };

let host: EngineHost | null = null;
const post = (message: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.addEventListener('message', (event: MessageEvent<PageMessage>) => {
  const message = event.data;
  if (message.kind === 'init') host ??= new EngineHost(post, message.options, ports);
  else if (message.kind === 'command') void host?.command(message);
  else if (message.kind === 'rtc') host?.rtcEvent(message.event);
  else if (message.kind === 'stream-port') host?.serveStreams(message.port);
  else if (message.kind === 'leaving') host?.leaving();
});

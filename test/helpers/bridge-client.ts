import WebSocket from 'ws';
import { BRIDGE_PROTOCOL, type ControlMessage, type JoinSource, type RemoteTorrentEntry } from '../../src/core/bridge/control.js';
import { decodeFrame, encodeControl } from '../../src/core/bridge/frames.js';

type Remote = Extract<ControlMessage, { type: 'remote' }>;
type RemoteDone = Extract<ControlMessage, { type: 'remote-done' }>;
type JoinAnswer = Extract<ControlMessage, { type: 'joined' | 'refused' }>;

/**
 * A script's bridge client, speaking the protocol as the app's worker does: hello, then remote
 * requests answered by `remote-done`, joins answered by `joined` or `refused`, and the `remote-list`
 * the sidecar sends. It never speaks the peer wire on a joined channel (its data frames are ignored).
 */
export async function bridgeClient(url: string, giveUpMs: number) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const messages: ControlMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    const frame = decodeFrame(new Uint8Array(data));
    if (frame.kind !== 'control') return;
    messages.push(frame.message);
    for (const w of [...waiters]) w();
  });
  const waitFor = <T extends ControlMessage>(match: (m: ControlMessage) => m is T, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${giveUpMs} ms; last: ${JSON.stringify(messages.at(-1))}`)), giveUpMs);
      const check = () => {
        const found = messages.find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  ws.send(encodeControl({ type: 'hello', protocol: BRIDGE_PROTOCOL, peerId: 'cd'.repeat(20), agent: 'test' }));
  await waitFor((m): m is ControlMessage => m.type === 'hello', 'hello');
  let request = 0;
  return {
    /** One remote request and its answer, whatever it is. */
    async request(fields: Omit<Remote, 'type' | 'request'>): Promise<RemoteDone> {
      const id = ++request;
      ws.send(encodeControl({ type: 'remote', request: id, ...fields }));
      return waitFor((m): m is RemoteDone => m.type === 'remote-done' && m.request === id, `remote-done ${id}`);
    },
    /** A browser's join, answered by `joined` (once the sidecar has the metadata and checked its data) or `refused`. */
    async join(source: JoinSource): Promise<JoinAnswer> {
      const id = ++request;
      ws.send(encodeControl({ type: 'join', request: id, source }));
      return waitFor((m): m is JoinAnswer => (m.type === 'joined' || m.type === 'refused') && m.request === id, `joined ${id}`);
    },
    /** The first remote-list (from now on) whose torrents satisfy `ok`. */
    list(ok: (torrents: readonly RemoteTorrentEntry[]) => boolean, what: string) {
      messages.length = 0;
      return waitFor((m): m is Extract<ControlMessage, { type: 'remote-list' }> => m.type === 'remote-list' && ok(m.torrents), what);
    },
    close: () => ws.close(),
  };
}

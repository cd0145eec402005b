import { BridgeError } from './errors.js';

/** The bridge protocol's version: both sides say it in `hello`, and a different one ends the connection. */
export const BRIDGE_PROTOCOL = 1;

/** Bounds of what a control message may hold (a hostile far side gets an error, not our memory). */
export const CONTROL_LIMITS = {
  magnet: 64 * 1024,
  /** Base64 of an info dictionary of at most 16 MiB (ut_metadata's bound). */
  info: Math.ceil((16 * 1024 * 1024) / 3) * 4,
  trackers: 200,
  url: 2048,
  agent: 200,
  code: 100,
  message: 1000,
  name: 4096,
  statusTorrents: 1000,
  /** Files listed per torrent in `remote-list` (a torrent with more lists its first ones). */
  remoteFiles: 1000,
  deadlines: 4096,
  /** A deadline more than a day away means nothing to a picker. */
  deadlineMs: 24 * 3600 * 1000,
  /** Pieces and channel ids are u32 on the wire; no torrent has more than 2^31 pieces. */
  maxIndex: 0x7fff_ffff,
  maxChannel: 0xffff_ffff,
} as const;

/** What the browser asks the sidecar to join: a magnet (with its x.pe peers and trackers), a bare info hash, or the info dictionary (base64) and trackers. */
export type JoinSource =
  | { readonly magnet: string }
  | { readonly infoHash: string }
  | { readonly info: string; readonly trackers: readonly string[] };

export type RemoteState = 'metadata' | 'checking' | 'downloading' | 'seeding' | 'paused' | 'error';

/** The sidecar's view of a torrent it joined for the browser. */
export interface RemoteTorrentStatus {
  readonly infoHash: string;
  readonly name: string;
  readonly state: RemoteState;
  readonly progress: number;
  readonly peers: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
}

/** One file of a sidecar torrent, numbered from 1 without padding files, as its `/stream/` URL names it. */
export interface RemoteFile {
  readonly number: number;
  readonly path: string;
  readonly length: number;
  /** Verified bytes of the file, as the sidecar counts them. */
  readonly done: number;
}

/** One torrent of the sidecar's own Session, as remote mode lists it. */
export interface RemoteTorrentEntry extends RemoteTorrentStatus {
  readonly size: number;
  readonly files: readonly RemoteFile[];
}

/** What remote mode asks of the sidecar's own Session. */
export type RemoteAction = 'add' | 'pause' | 'resume' | 'remove';

export type ControlMessage =
  /** First message each way: the protocol version and the sender's BitTorrent peer id (40 hex). */
  | { readonly type: 'hello'; readonly protocol: number; readonly peerId: string; readonly agent: string }
  /** Browser → sidecar: join this torrent in the classic swarm and be my peer for it. */
  | { readonly type: 'join'; readonly request: number; readonly source: JoinSource }
  /** Sidecar → browser: joined; the torrent's peer wire runs on `channel` from now on. */
  | { readonly type: 'joined'; readonly request: number; readonly infoHash: string; readonly channel: number }
  /** Sidecar → browser: a join that failed, with the SluiceError's code and message. */
  | { readonly type: 'refused'; readonly request: number; readonly code: string; readonly message: string }
  /** Browser → sidecar: stop being my peer for this torrent. */
  | { readonly type: 'leave'; readonly infoHash: string }
  /** Either way: this peer-wire channel ended (the far side closes its transport too). */
  | { readonly type: 'close'; readonly channel: number; readonly reason: string | null }
  /** Sidecar → browser, about once a second: its own view of the torrents it joined for this browser. */
  | { readonly type: 'status'; readonly torrents: readonly RemoteTorrentStatus[] }
  /** Browser → sidecar: the player waits for these pieces, `inMs` from now; `clear` drops deadlines. */
  | { readonly type: 'deadlines'; readonly infoHash: string; readonly set: readonly (readonly [number, number])[]; readonly clear: readonly number[] }
  /** Browser → sidecar (remote mode): change the sidecar's own torrents; `source` for add, `infoHash` otherwise. */
  | { readonly type: 'remote'; readonly request: number; readonly action: RemoteAction; readonly infoHash: string | null; readonly source: JoinSource | null; readonly deleteData: boolean }
  /** Sidecar → browser: what became of a `remote` request; `code` and `message` when it failed. */
  | { readonly type: 'remote-done'; readonly request: number; readonly infoHash: string | null; readonly code: string | null; readonly message: string | null }
  /** Sidecar → browser, with each status: every torrent of the sidecar's own Session. */
  | { readonly type: 'remote-list'; readonly torrents: readonly RemoteTorrentEntry[] }
  /** Either way, before closing: why. */
  | { readonly type: 'error'; readonly code: string; readonly message: string };

export type ControlType = ControlMessage['type'];

const STATES: readonly RemoteState[] = ['metadata', 'checking', 'downloading', 'seeding', 'paused', 'error'];
const ACTIONS: readonly RemoteAction[] = ['add', 'pause', 'resume', 'remove'];

type Fields = Record<string, unknown>;

function fail(what: string): never {
  throw new BridgeError('bridge/bad-control', `bad bridge control message: ${what}`);
}

function obj(v: unknown, what: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} is not an object`);
  return v as Fields;
}

function str(v: unknown, max: number, what: string): string {
  if (typeof v !== 'string') fail(`${what} is not a string`);
  if (v.length > max) fail(`${what} is longer than ${max} characters`);
  return v;
}

function int(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${what} is not an integer in ${min}..${max}`);
  return v;
}

function num(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${what} is not a number in ${min}..${max}`);
  return v;
}

function list(v: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(v)) fail(`${what} is not a list`);
  if (v.length > max) fail(`${what} has more than ${max} entries`);
  return v;
}

function hash(v: unknown, what: string): string {
  const s = str(v, 40, what);
  if (!/^[0-9a-f]{40}$/.test(s)) fail(`${what} is not 40 lower-case hex digits`);
  return s;
}

function joinSource(v: unknown): JoinSource {
  const s = obj(v, 'source');
  if ('magnet' in s) return { magnet: str(s['magnet'], CONTROL_LIMITS.magnet, 'source.magnet') };
  if ('infoHash' in s) {
    const text = str(s['infoHash'], 64, 'source.infoHash');
    if (!/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[A-Za-z2-7]{32})$/.test(text)) fail('source.infoHash is not an info hash');
    return { infoHash: text };
  }
  if ('info' in s) {
    const trackers = list(s['trackers'], CONTROL_LIMITS.trackers, 'source.trackers').map((u, i) => str(u, CONTROL_LIMITS.url, `source.trackers[${i}]`));
    return { info: str(s['info'], CONTROL_LIMITS.info, 'source.info'), trackers };
  }
  return fail('source names no magnet, infoHash or info');
}

function remoteStatus(v: unknown, i: number): RemoteTorrentStatus {
  const t = obj(v, `torrents[${i}]`);
  const state = t['state'];
  if (!STATES.includes(state as RemoteState)) fail(`torrents[${i}].state is not a torrent state`);
  return {
    infoHash: hash(t['infoHash'], `torrents[${i}].infoHash`),
    name: str(t['name'], CONTROL_LIMITS.name, `torrents[${i}].name`),
    state: state as RemoteState,
    progress: num(t['progress'], 0, 1, `torrents[${i}].progress`),
    peers: int(t['peers'], 0, 1_000_000, `torrents[${i}].peers`),
    downloadRate: num(t['downloadRate'], 0, Number.MAX_SAFE_INTEGER, `torrents[${i}].downloadRate`),
    uploadRate: num(t['uploadRate'], 0, Number.MAX_SAFE_INTEGER, `torrents[${i}].uploadRate`),
  };
}

function remoteEntry(v: unknown, i: number): RemoteTorrentEntry {
  const t = obj(v, `torrents[${i}]`);
  const files = list(t['files'], CONTROL_LIMITS.remoteFiles, `torrents[${i}].files`).map((f, j) => {
    const file = obj(f, `torrents[${i}].files[${j}]`);
    const length = num(file['length'], 0, Number.MAX_SAFE_INTEGER, `torrents[${i}].files[${j}].length`);
    return {
      number: int(file['number'], 1, CONTROL_LIMITS.maxIndex, `torrents[${i}].files[${j}].number`),
      path: str(file['path'], CONTROL_LIMITS.name, `torrents[${i}].files[${j}].path`),
      length,
      done: num(file['done'], 0, length, `torrents[${i}].files[${j}].done`),
    };
  });
  return { ...remoteStatus(v, i), size: num(t['size'], 0, Number.MAX_SAFE_INTEGER, `torrents[${i}].size`), files };
}

function nullable<T>(v: unknown, parse: (v: unknown) => T): T | null {
  return v === null || v === undefined ? null : parse(v);
}

/**
 * A control message from its parsed JSON: every field checked for type and bound, unknown fields
 * ignored (a newer far side may add some), an unknown `type` refused.
 */
export function parseControl(value: unknown): ControlMessage {
  const m = obj(value, 'the message');
  const L = CONTROL_LIMITS;
  switch (m['type']) {
    case 'hello': {
      const peerId = str(m['peerId'], 40, 'peerId');
      if (!/^[0-9a-f]{40}$/.test(peerId)) fail('peerId is not 40 lower-case hex digits');
      return { type: 'hello', protocol: int(m['protocol'], 0, 0xffff, 'protocol'), peerId, agent: str(m['agent'], L.agent, 'agent') };
    }
    case 'join':
      return { type: 'join', request: int(m['request'], 0, L.maxChannel, 'request'), source: joinSource(m['source']) };
    case 'joined':
      return { type: 'joined', request: int(m['request'], 0, L.maxChannel, 'request'), infoHash: hash(m['infoHash'], 'infoHash'), channel: int(m['channel'], 0, L.maxChannel, 'channel') };
    case 'refused':
      return { type: 'refused', request: int(m['request'], 0, L.maxChannel, 'request'), code: str(m['code'], L.code, 'code'), message: str(m['message'], L.message, 'message') };
    case 'leave':
      return { type: 'leave', infoHash: hash(m['infoHash'], 'infoHash') };
    case 'close':
      return { type: 'close', channel: int(m['channel'], 0, L.maxChannel, 'channel'), reason: m['reason'] === null || m['reason'] === undefined ? null : str(m['reason'], L.message, 'reason') };
    case 'status':
      return { type: 'status', torrents: list(m['torrents'], L.statusTorrents, 'torrents').map(remoteStatus) };
    case 'deadlines': {
      const set = list(m['set'], L.deadlines, 'set').map((pair, i) => {
        const p = list(pair, 2, `set[${i}]`);
        if (p.length !== 2) fail(`set[${i}] is not [piece, inMs]`);
        return [int(p[0], 0, L.maxIndex, `set[${i}][0]`), int(p[1], 0, L.deadlineMs, `set[${i}][1]`)] as const;
      });
      const clear = list(m['clear'], L.deadlines, 'clear').map((p, i) => int(p, 0, L.maxIndex, `clear[${i}]`));
      return { type: 'deadlines', infoHash: hash(m['infoHash'], 'infoHash'), set, clear };
    }
    case 'remote': {
      const action = m['action'];
      if (!ACTIONS.includes(action as RemoteAction)) fail('action is not add, pause, resume or remove');
      const infoHash = nullable(m['infoHash'], (v) => hash(v, 'infoHash'));
      const source = nullable(m['source'], joinSource);
      if (action === 'add' ? source === null : infoHash === null) fail(action === 'add' ? 'an add names no source' : `a ${String(action)} names no infoHash`);
      return { type: 'remote', request: int(m['request'], 0, L.maxChannel, 'request'), action: action as RemoteAction, infoHash, source, deleteData: m['deleteData'] === true };
    }
    case 'remote-done':
      return {
        type: 'remote-done',
        request: int(m['request'], 0, L.maxChannel, 'request'),
        infoHash: nullable(m['infoHash'], (v) => hash(v, 'infoHash')),
        code: nullable(m['code'], (v) => str(v, L.code, 'code')),
        message: nullable(m['message'], (v) => str(v, L.message, 'message')),
      };
    case 'remote-list':
      return { type: 'remote-list', torrents: list(m['torrents'], L.statusTorrents, 'torrents').map(remoteEntry) };
    case 'error':
      return { type: 'error', code: str(m['code'], L.code, 'code'), message: str(m['message'], L.message, 'message') };
    default:
      return fail(`unknown type ${JSON.stringify(String(m['type'])).slice(0, 40)}`);
  }
}

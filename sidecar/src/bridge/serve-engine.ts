import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { flagValue, flagValues, integerFlag, UsageError, type ParsedArgs } from '../cli/args.js';
import { swarmOptions } from '../cli/swarm-options.js';
import { startNodeSession, type NodeSession } from '../engine/node-session.js';
import { defaultStateDir } from '../engine/state-dir.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { ownOrigins } from './access.js';
import { BridgeServer } from './bridge-server.js';
import type { ServeSessionSpec } from './serve-tokens.js';
import { PersistedTorrents } from '../../../src/core/persist/persisted-torrents.js';
import { torrentMagnet } from '../../../src/core/persist/torrent-magnet.js';
import { torrentListFiles } from '../engine/torrent-list-files.js';

/** One token's share of the sidecar: its own engine Session, folders and kept list. */
export interface ServeSession {
  /** Null for the single default session (no token, or one bare --token). */
  readonly name: string | null;
  /** Its bridge token, or null on loopback without --token. */
  readonly token: string | null;
  readonly node: NodeSession;
  /** Where it stores what its browsers have it download. */
  readonly out: string;
  /** Every torrent of its Session, kept under `<its state>/torrents/` so a restart brings them back. */
  readonly list: PersistedTorrents;
}

export interface ServeEngine {
  /** One per token, in the order given; the first takes the torrents named on the command line. */
  readonly sessions: readonly ServeSession[];
  readonly bridge: BridgeServer;
  /** Writes each kept list and closes each Session. */
  close(): Promise<void>;
}

/** An origin as `--allow-origin` takes it: scheme, host and port, nothing more. */
function checkOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--allow-origin '${text}' is not an origin such as https://app.example:8443`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== text.replace(/\/$/, '')) {
    throw new UsageError(`--allow-origin '${text}' is not an origin such as https://app.example:8443 (scheme, host and port only)`);
  }
  return url.origin;
}

/**
 * The engine `sluice serve` runs for browsers: per token, the same NodeSession as `sluice download`
 * (TCP, HTTP/UDP trackers, DHT, PEX, files under its folder, resume data in its state), its torrent
 * list restored from its state and kept there; and the /bridge endpoint, which hands each connection
 * the Session of the token it carries. One token (or none) is one Session in --out and --state, as
 * before names existed; a named token's Session lives in `<out>/<name>` and `<state>/tokens/<name>`.
 */
export async function startServeEngine(
  args: ParsedArgs,
  cwd: string,
  listen: { readonly host: string; readonly port: number; readonly secure: boolean },
  /** From `serveSessions`, checked before anything listens. */
  specs: readonly ServeSessionSpec[],
  log: (event: string, fields: Record<string, unknown>, detail: string) => void,
  /** One line about the saved state (a file skipped, a torrent that did not come back). */
  warn: (line: string) => void,
): Promise<ServeEngine> {
  const allowOrigins = flagValues(args, 'allow-origin').map(checkOrigin);
  const stateRoot = resolve(cwd, flagValue(args, 'state') ?? defaultStateDir());
  const outRoot = resolve(cwd, flagValue(args, 'out') ?? join(stateRoot, 'downloads'));
  const peerPort = integerFlag(args, 'peer-port', 0, 65535) ?? 0;
  const swarm = swarmOptions(args);
  const sessions: ServeSession[] = [];
  try {
    for (const spec of specs) {
      const stateDir = spec.name === null ? stateRoot : join(stateRoot, 'tokens', spec.name);
      const out = spec.name === null ? outRoot : join(outRoot, spec.name);
      // --peer-port is the first Session's (the one a router forwards); the others take a free port each.
      const port = sessions.length === 0 ? peerPort : 0;
      sessions.push(await startOne(spec, out, stateDir, port, swarm, warn));
    }
  } catch (err) {
    await Promise.all(sessions.map((s) => s.node.close()));
    throw err;
  }
  const tokens = sessions.flatMap((s) => (s.token === null ? [] : [s.token]));
  const bridge = new BridgeServer({
    sessions: sessions.map((s) => ({ name: s.name, session: s.node.session, list: s.list })),
    hasher: nodeHasher,
    access: { tokens, allowOrigins, ownOrigins: ownOrigins(listen.host, listen.port, listen.secure) },
    log,
  });
  return {
    sessions,
    bridge,
    async close() {
      await Promise.all(sessions.map((s) => s.list.flush().catch(() => {})));
      await Promise.all(sessions.map((s) => s.node.close()));
    },
  };
}

async function startOne(
  spec: ServeSessionSpec,
  out: string,
  stateDir: string,
  port: number,
  swarm: ReturnType<typeof swarmOptions>,
  warn: (line: string) => void,
): Promise<ServeSession> {
  await mkdir(out, { recursive: true });
  const node = await startNodeSession({ downloadDir: out, stateDir, port, ...swarm });
  const list = new PersistedTorrents({
    store: torrentListFiles(stateDir, (line) => warn(spec.name === null ? line : `${spec.name}: ${line}`)),
    hasher: nodeHasher,
    magnetOf: torrentMagnet,
    after: (ms, task) => {
      const t = setTimeout(task, ms);
      return () => clearTimeout(t);
    },
    now: () => Date.now(),
  });
  // The list comes back before the bridge answers: a browser's join or remote mode then finds each
  // torrent as it was (a paused one paused; a complete one checked against its files and seeding).
  for (const failure of await list.restore(node.session, { settings: false })) warn(spec.name === null ? failure.message : `${spec.name}: ${failure.message}`);
  list.follow(node.session);
  return { name: spec.name, token: spec.token, node, out, list };
}

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { flagValue, flagValues, integerFlag, UsageError, type ParsedArgs } from '../cli/args.js';
import { swarmOptions } from '../cli/swarm-options.js';
import { startNodeSession, type NodeSession } from '../engine/node-session.js';
import { defaultStateDir } from '../engine/state-dir.js';
import { nodeHasher } from '../hash/node-hasher.js';
import { isLoopbackHost, ownOrigins } from './access.js';
import { BridgeServer } from './bridge-server.js';
import { PersistedTorrents } from '../../../src/core/persist/persisted-torrents.js';
import { torrentMagnet } from '../../../src/core/persist/torrent-magnet.js';
import { torrentListFiles } from '../engine/torrent-list-files.js';

export interface ServeEngine {
  readonly node: NodeSession;
  readonly bridge: BridgeServer;
  /** The bridge token, or null on loopback without --token. */
  readonly token: string | null;
  /** Where the sidecar stores what browsers have it download. */
  readonly out: string;
  /** Every torrent of the Session, kept under `<state>/torrents/` so a restart brings them back. */
  readonly list: PersistedTorrents;
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
 * The engine `sluice serve` runs for browsers: the same NodeSession as `sluice download` (TCP, HTTP/UDP
 * trackers, DHT, PEX, files under --out, resume data in --state), its torrent list restored from
 * --state and kept there, and the /bridge endpoint onto it.
 */
export async function startServeEngine(
  args: ParsedArgs,
  cwd: string,
  listen: { readonly host: string; readonly port: number; readonly secure: boolean },
  log: (event: string, fields: Record<string, unknown>, detail: string) => void,
  /** One line about the saved state (a file skipped, a torrent that did not come back). */
  warn: (line: string) => void,
): Promise<ServeEngine> {
  const allowOrigins = flagValues(args, 'allow-origin').map(checkOrigin);
  const given = flagValue(args, 'token');
  if (given !== undefined && !/^[\x21-\x7e]{8,200}$/.test(given)) throw new UsageError('--token must be 8 to 200 printable characters without spaces');
  // Off loopback nobody gets in without the token: one is made when none is given.
  const token = given ?? (isLoopbackHost(listen.host) ? null : randomBytes(18).toString('base64url'));
  const stateDir = resolve(cwd, flagValue(args, 'state') ?? defaultStateDir());
  const out = resolve(cwd, flagValue(args, 'out') ?? join(stateDir, 'downloads'));
  await mkdir(out, { recursive: true });
  const node = await startNodeSession({ downloadDir: out, stateDir, port: integerFlag(args, 'peer-port', 0, 65535) ?? 0, ...swarmOptions(args) });
  const list = new PersistedTorrents({
    store: torrentListFiles(stateDir, warn),
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
  for (const failure of await list.restore(node.session, { settings: false })) warn(failure.message);
  list.follow(node.session);
  const bridge = new BridgeServer({
    session: node.session,
    hasher: nodeHasher,
    list,
    access: { token, allowOrigins, ownOrigins: ownOrigins(listen.host, listen.port, listen.secure) },
    log,
  });
  return { node, bridge, token, out, list };
}

import { commandSpec, shortUsage } from '../command-specs.js';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticFiles } from '../../http/static-files.js';
import { torrentSource } from './download.js';
import { TrackerService } from '../../tracker-server/service.js';
import { flagValue, flagValues, hasFlag, integerFlag, parseArgs, UsageError, type ParsedArgs } from '../args.js';
import { redactToken } from '../../bridge/access.js';
import { answerStarting, refuseUpgradeStarting } from '../../bridge/bridge-server.js';
import { startServeEngine, type ServeEngine } from '../../bridge/serve-engine.js';
import type { CliIo } from '../run.js';
import { formatHostPort } from '../../../../src/core/engine/address.js';
import type { LogEntry } from '../alert-log.js';
import { EventLog, type EventOutput } from '../event-log.js';
import { networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../../bridge/access.js';
import { serveSessions } from '../../bridge/serve-tokens.js';
import { startLine } from './serve-start-line.js';

const SPEC = commandSpec('serve');
const SERVE_USAGE = shortUsage(SPEC);
const DEFAULT_PORT = 8787;
/** A request target is logged up to this length: enough to tell requests apart, not a way to fill the log. */
const LOGGED_PATH_CHARS = 300;

function remoteOf(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return remoteAddress === undefined ? 'unknown' : formatHostPort(remoteAddress, remotePort ?? 0);
}

/** serve's stdout is its URL line, then (with --json) event lines; stderr takes --verbose. */
function serveOutput(io: CliIo, json: boolean): EventOutput {
  return {
    json,
    event: (entry: LogEntry) => void io.stdout.write(`${JSON.stringify(entry)}\n`),
    aside: (text: string) => void io.stderr.write(`${text}\n`),
  };
}

/** dist/ at the repository root (where vite writes it): the nearest ancestor of this module holding sidecar/package.json. */
function defaultAppDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sidecar', 'package.json'))) return join(dir, 'dist');
    if (dirname(dir) === dir) return resolve(here, '../../../../../dist');
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolvePort(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** A wildcard address is shown as one this machine can be reached at. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
    return '127.0.0.1';
  }
  return host.includes(':') ? `[${host}]` : host;
}

/** --cert and --key, read now, so a wrong path is one line before anything listens. */
function tlsFiles(args: ParsedArgs, cwd: string): { cert: Buffer; key: Buffer } | null {
  const cert = flagValue(args, 'cert');
  const key = flagValue(args, 'key');
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) throw new UsageError('--cert and --key go together');
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(resolve(cwd, path));
    } catch (err) {
      throw new UsageError(`cannot read --${flag} '${path}': ${(err as Error).message}`);
    }
  };
  return { cert: read('cert', cert), key: read('key', key) };
}

export async function serveCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  if (args.positionals.length > 0 && hasFlag(args, 'no-bridge')) throw new UsageError(`torrents need the sidecar's engine, which --no-bridge turns off (usage: ${SERVE_USAGE})`);
  // Parsed before anything listens, so a file that is not a torrent is one line naming it.
  const given = await Promise.all(args.positionals.map((p) => torrentSource(p, io.cwd)));
  const host = flagValue(args, 'host') ?? '127.0.0.1';
  const explicitPort = integerFlag(args, 'port', 0, 65535);
  const appDirFlag = flagValue(args, 'app');
  const appDir = appDirFlag === undefined ? defaultAppDir() : resolve(io.cwd, appDirFlag);

  const json = hasFlag(args, 'json');
  const log = EventLog.fromArgs(args, io.cwd, serveOutput(io, json));
  // Until the bridge brings an engine to serve (and its alerts), the log tells who asked for what.
  const note = (event: string, req: IncomingMessage, fields: Record<string, unknown>, detail: string) =>
    log.record({ entry: { event, time: new Date().toISOString(), peer: remoteOf(req), ...fields }, detail });
  // The bridge token never reaches a log.
  const target = (req: IncomingMessage) => redactToken((req.url ?? '').slice(0, LOGGED_PATH_CHARS));
  const tls = tlsFiles(args, io.cwd);
  const bridged = !hasFlag(args, 'no-bridge');
  // The tokens, and so the sessions, are checked before anything listens (with --no-bridge too): a mistake is one line, exit 2.
  const specs = serveSessions(flagValues(args, 'token'), isLoopbackHost(host));
  const sessionSpecs = bridged ? specs : [];
  // After the options, so a mistake in them is named even where the app is not built yet.
  if (!existsSync(join(appDir, 'index.html'))) {
    throw new UsageError(`no built app in '${appDir}' (run \`npm run build\` first, or pass --app DIR)`);
  }

  const handler = staticFiles(appDir);
  // The tracker rides along: WebTorrent signalling on ws://…/announce, HTTP announce and scrape, /stats, /metrics.
  const tracker = new TrackerService({});
  const sweeper = setInterval(() => tracker.sweep(), tracker.limits.sweepIntervalMs);
  sweeper.unref();
  let engine: ServeEngine | null = null;
  const listener: RequestListener = (req, res) => {
    res.once('finish', () => note('http-request', req, { method: req.method, path: target(req), status: res.statusCode }, `${req.method} ${target(req)} ${res.statusCode}`));
    if (engine?.bridge.handleHttp(req, res)) return;
    if (engine?.bridge.handleStream(req, res)) return;
    if (!engine && bridged && answerStarting(req, res)) return;
    if (tracker.handleHttp(req, res)) return;
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  server.on('upgrade', (req, socket, head: Buffer) => {
    note('ws-opened', req, { path: target(req) }, `WebSocket ${target(req)}`);
    socket.once('close', () => note('ws-closed', req, { path: target(req) }, `WebSocket ${target(req)} closed`));
    if (engine?.bridge.handleUpgrade(req, socket, head, remoteOf(req))) return;
    if (!engine && bridged && refuseUpgradeStarting(req, socket)) return;
    tracker.handleUpgrade(req, socket, head);
  });
  let closing: Promise<void> | null = null;
  server.on('close', () => {
    clearInterval(sweeper);
    tracker.close();
  });
  // Without an explicit --port, step past ports that are taken rather than failing.
  let port = explicitPort ?? DEFAULT_PORT;
  for (let attempt = 0; ; attempt++) {
    try {
      port = await listen(server, port, host);
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE' && explicitPort === undefined && attempt < 20) {
        port++;
        continue;
      }
      throw new UsageError(
        code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (choose another with --port)` : `cannot listen on ${host}:${port}: ${(err as Error).message}`,
      );
    }
  }
  const shownHost = displayHost(host);
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://${shownHost}:${port}/`;
  const trackerUrl = `${tls ? 'wss' : 'ws'}://${shownHost}:${port}/announce`;
  if (bridged) {
    try {
      engine = await startServeEngine(
        args,
        io.cwd,
        { host, port, secure: tls !== null },
        sessionSpecs,
        (event, fields, detail) => log.record({ entry: { event, time: new Date().toISOString(), ...fields }, detail }),
        (line) => void io.stderr.write(`sluice serve: ${line}\n`),
      );
      for (const s of engine.sessions) log.follow(s.node.session, s.name);
    } catch (err) {
      server.close();
      log.close();
      throw err;
    }
  }
  const bridgeUrl = engine ? `${tls ? 'wss' : 'ws'}://${shownHost}:${port}/bridge` : null;
  io.stdout.write(startLine({ url, port, host, tracker: trackerUrl, bridge: bridgeUrl, secure: tls !== null, json }, engine?.sessions ?? []));

  // The sidecar's own torrents, as `sluice download --seed` would keep them (remote mode lists them); after the URL line, which stays first.
  // One restored from --state stays as it was left (a paused one paused).
  // They belong to the first token's session.
  for (const source of given) {
    await engine?.sessions[0]!.node.session.addTorrent(source, {}).catch((err: Error & { code?: string }) => {
      if (err.code !== 'session/duplicate-torrent') io.stderr.write(`sluice serve: ${err.message.split('\n')[0]}\n`);
    });
  }

  await new Promise<void>((done) => {
    const stop = () => {
      closing ??= (async () => {
        engine?.bridge.close();
        server.closeAllConnections?.();
        await new Promise<void>((closed) => server.close(() => closed()));
        await engine?.close();
        log.close();
      })();
      void closing.then(done);
    };
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

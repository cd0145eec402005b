import { commandSpec, shortUsage } from '../command-specs.js';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticFiles } from '../../http/static-files.js';
import { TrackerService } from '../../tracker-server/service.js';
import { flagValue, hasFlag, integerFlag, parseArgs, UsageError } from '../args.js';
import type { CliIo } from '../run.js';
import { formatHostPort } from '../../../../src/core/engine/address.js';
import type { LogEntry } from '../alert-log.js';
import { EventLog, type EventOutput } from '../event-log.js';

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

export async function serveCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (usage: ${SERVE_USAGE})`);
  const host = flagValue(args, 'host') ?? '127.0.0.1';
  const explicitPort = integerFlag(args, 'port', 0, 65535);
  const appDirFlag = flagValue(args, 'app');
  const appDir = appDirFlag === undefined ? defaultAppDir() : resolve(io.cwd, appDirFlag);
  if (!existsSync(join(appDir, 'index.html'))) {
    throw new UsageError(`no built app in '${appDir}' (run \`npm run build\` first, or pass --app DIR)`);
  }

  const json = hasFlag(args, 'json');
  const log = EventLog.fromArgs(args, io.cwd, serveOutput(io, json));
  // Until the bridge brings an engine to serve (and its alerts), the log tells who asked for what.
  const note = (event: string, req: IncomingMessage, fields: Record<string, unknown>, detail: string) =>
    log.record({ entry: { event, time: new Date().toISOString(), peer: remoteOf(req), ...fields }, detail });
  const target = (req: IncomingMessage) => (req.url ?? '').slice(0, LOGGED_PATH_CHARS);

  const handler = staticFiles(appDir);
  // The tracker rides along: WebTorrent signalling on ws://…/announce, HTTP announce and scrape, /stats, /metrics.
  const tracker = new TrackerService({});
  const sweeper = setInterval(() => tracker.sweep(), tracker.limits.sweepIntervalMs);
  sweeper.unref();
  const server = createServer((req, res) => {
    res.once('finish', () => note('http-request', req, { method: req.method, path: target(req), status: res.statusCode }, `${req.method} ${target(req)} ${res.statusCode}`));
    if (tracker.handleHttp(req, res)) return;
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head: Buffer) => {
    note('ws-opened', req, { path: target(req) }, `WebSocket ${target(req)}`);
    socket.once('close', () => note('ws-closed', req, { path: target(req) }, `WebSocket ${target(req)} closed`));
    tracker.handleUpgrade(req, socket, head);
  });
  server.on('close', () => {
    clearInterval(sweeper);
    tracker.close();
    log.close();
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
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;
  const trackerUrl = `ws://${shownHost}:${port}/announce`;
  io.stdout.write(
    json
      ? `${JSON.stringify({ url, port, host, tracker: trackerUrl })}\n`
      : `Sluice is running at ${url}\nTracker: ${trackerUrl} (also http://${shownHost}:${port}/announce)\n(press Ctrl-C to stop)\n`,
  );

  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

import { startTrackerServer } from '../../tracker-server/server.js';
import { flagValue, hasFlag, integerFlag, parseArgs, UsageError } from '../args.js';
import type { CliIo } from '../run.js';
import { commandSpec, shortUsage } from '../command-specs.js';

const SPEC = commandSpec('tracker');

/** `sluice tracker`: a WebTorrent (WebSocket), HTTP and UDP tracker until Ctrl-C. */
export async function trackerCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (usage: ${shortUsage(SPEC)})`);
  const host = flagValue(args, 'host') ?? '127.0.0.1';
  const port = integerFlag(args, 'port', 0, 65535) ?? 8000;
  let server;
  try {
    server = await startTrackerServer({ port, host });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(
      code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (choose another with --port)` : `cannot listen on ${host}:${port}: ${(err as Error).message}`,
    );
  }
  const { urls } = server;
  const base = urls.http.slice(0, -'/announce'.length);
  io.stdout.write(
    hasFlag(args, 'json')
      ? `${JSON.stringify({ port: server.port, host, ws: urls.ws, http: urls.http, udp: urls.udp, stats: `${base}/stats`, metrics: `${base}/metrics` })}\n`
      : `Sluice tracker on port ${server.port}\n  WebSocket  ${urls.ws}\n  HTTP       ${urls.http}\n  UDP        ${urls.udp}\n  stats      ${base}/stats  (Prometheus: ${base}/metrics)\n(press Ctrl-C to stop)\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

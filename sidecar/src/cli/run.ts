import type { Writable } from 'node:stream';
import { isSluiceError } from '../../../src/core/errors.js';
import { SLUICE_VERSION } from '../../../src/core/version.js';
import { UsageError } from './args.js';
import { USAGE } from './usage.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  cwd: string;
}

const HELP = `sluice ${SLUICE_VERSION} — the Sluice BitTorrent sidecar

Usage:
  ${Object.values(USAGE).join('\n  ')}
  sluice --help | --version

Commands:
  info       show what a torrent file or magnet link holds (--json for scripts)
  create     make a .torrent from a file or folder and print its magnet link
  download   download a torrent, magnet or info hash (then seed with --seed)
  seed       share a file, folder or .torrent with the swarm and print its magnet link
  serve      serve the Sluice web app, with a tracker built in
  tracker    run a tracker: WebTorrent (WebSocket) signalling, HTTP and UDP announce, /stats, /metrics
`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Each command is loaded only when it runs, so a quick `sluice create` does not pay for the engine. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  info: async () => (await import('./commands/info.js')).infoCommand,
  create: async () => (await import('./commands/create.js')).createCommand,
  download: async () => (await import('./commands/download.js')).downloadCommand,
  seed: async () => (await import('./commands/seed.js')).seedCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  tracker: async () => (await import('./commands/tracker.js')).trackerCommand,
};

/** Runs one CLI invocation; every expected failure becomes one line on stderr and exit status 2. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    io.stdout.write(`${SLUICE_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  try {
    if (!load) throw new UsageError(`unknown command '${command}' (see sluice --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HELP);
      return 0;
    }
    return await (await load())(rest, io);
  } catch (err) {
    if (isSluiceError(err)) {
      io.stderr.write(`sluice: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`sluice: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.SLUICE_DEBUG) io.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    return 1;
  }
}

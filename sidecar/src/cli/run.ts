import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  cwd: string;
}

const HELP = `sluice — the Sluice BitTorrent sidecar

Usage:
  sluice info <file.torrent | magnet> [--json]
  sluice create <path> [-o out.torrent] [--announce URL]... [--webseed URL]...
                [--piece-length BYTES] [--private] [--comment TEXT] [--hybrid] [--json]
  sluice serve [--port N] [--host H]
  sluice --help | --version
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  io.stderr.write(`sluice: unknown command '${command}' (see sluice --help)\n`);
  return 2;
}

import type { Writable } from 'node:stream';
import { isSluiceError } from '../../../src/core/errors.js';
import { SLUICE_VERSION } from '../../../src/core/version.js';
import { UsageError } from './args.js';
import { COMMAND_SPECS } from './command-specs.js';
import { commandHelp, overviewHelp } from './help.js';
import { nearestWord } from './suggest.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  cwd: string;
}

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
  if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    io.stdout.write(overviewHelp());
    return 0;
  }
  if (command === '--version' || command === '-V') {
    io.stdout.write(`${SLUICE_VERSION}\n`);
    return 0;
  }
  try {
    // `sluice help download` and `sluice download --help` (anywhere before `--`) print the command's help.
    const helpFor = command === 'help' ? rest[0]! : command;
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    const wantsHelp = command === 'help' || options.includes('--help') || options.includes('-h');
    const load = Object.hasOwn(COMMANDS, helpFor) ? COMMANDS[helpFor] : undefined;
    if (!load) {
      const near = nearestWord(helpFor, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${helpFor}'${near ? `; did you mean ${near}?` : ''} (see sluice --help)`);
    }
    if (wantsHelp) {
      io.stdout.write(commandHelp(COMMAND_SPECS.find((c) => c.name === helpFor)!));
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

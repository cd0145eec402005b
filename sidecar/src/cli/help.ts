import { SLUICE_VERSION } from '../../../src/core/version.js';
import type { OptionSpec } from './args.js';
import { COMMAND_SPECS, type CommandSpec } from './command-specs.js';

const WIDTH = 80;

/** `[--out DIR]`, `[--peer HOST:PORT]...`, `[--json]`: one option as a synopsis shows it. */
function synopsisWord(o: OptionSpec): string {
  return `[--${o.name}${o.value ? ` ${o.value}` : ''}]${o.repeat ? '...' : ''}`;
}

/** Words filled into lines of at most WIDTH columns, continuation lines lined up under the first operand. */
function fill(first: string, words: readonly string[], indent: number): string {
  const lines: string[] = [];
  let line = first;
  for (const w of words) {
    if (line.length + 1 + w.length > WIDTH && line.trim() !== '') {
      lines.push(line);
      line = ' '.repeat(indent) + w;
    } else line += ` ${w}`;
  }
  lines.push(line);
  return lines.join('\n');
}

function optionLabel(o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

/** A command's usage, as git and webtorrent-cli print it: synopsis, one line per option with its default, examples. */
export function commandHelp(spec: CommandSpec): string {
  const head = `  sluice ${spec.name}`;
  const synopsis = fill(head, [...(spec.operands ? [spec.operands] : []), ...spec.options.filter((o) => o.name !== 'help').map(synopsisWord)], head.length + 1);
  const labels = spec.options.map(optionLabel);
  const column = Math.max(...labels.map((l) => l.length)) + 2;
  const options = spec.options.map((o, i) => `  ${labels[i]!.padEnd(column)}${o.help} (default: ${o.default})`);
  const examples = spec.examples.map((e) => `  ${e.command}\n      ${e.says}`);
  return `sluice ${spec.name} — ${spec.summary}\n\nUsage:\n${synopsis}\n\nOptions:\n${options.join('\n')}\n\nExamples:\n${examples.join('\n\n')}\n`;
}

/** `sluice --help`: the commands, a line each. */
export function overviewHelp(): string {
  const column = Math.max(...COMMAND_SPECS.map((c) => c.name.length)) + 3;
  const commands = COMMAND_SPECS.map((c) => `  ${c.name.padEnd(column)}${c.summary}`);
  return (
    `sluice ${SLUICE_VERSION} — the Sluice BitTorrent sidecar\n\n` +
    `Usage:\n  sluice <command> [options]\n  sluice <command> --help     that command's options, their defaults, and examples\n  sluice --version\n\n` +
    `Commands:\n${commands.join('\n')}\n\nRun 'sluice help <command>' for more on one command.\n`
  );
}

import { parseArgs as nodeParseArgs } from 'node:util';
import { SluiceError } from '../../../src/core/errors.js';
import { nearestWord } from './suggest.js';

export class UsageError extends SluiceError<'cli/usage'> {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('cli/usage', message);
  }
}

/** One command-line option: how it parses and how `--help` describes it (one table serves both). */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  /** Takes a value, named so in the help (`--port N`, `--port=N`); without it the option is a switch. */
  readonly value?: string;
  /** May be given more than once; values are collected in order. */
  readonly repeat?: boolean;
  /** What it does, one line. */
  readonly help: string;
  /** What happens without it, one short phrase. */
  readonly default: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string[] | true>;
}

/**
 * Node's util.parseArgs does the tokenising (`--name=value`, `-o value`, `-ofile`, `--`); the rules
 * are ours, so every mistake is one line: an unknown option (with the nearest real one), a missing
 * value, a value given to a switch, or a value given twice.
 */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], command?: string): ParsedArgs {
  const byName = new Map(options.map((o) => [o.name, o]));
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple: boolean }> = {};
  for (const o of options) config[o.name] = { type: o.value ? 'string' : 'boolean', multiple: true, ...(o.short ? { short: o.short } : {}) };
  const { tokens } = nodeParseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string[] | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = byName.get(token.name);
    if (!spec) throw unknownOption(token.rawName, options, command);
    const shown = `--${spec.name}`;
    if (!spec.value) {
      if (token.value !== undefined) throw new UsageError(`option '${shown}' takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    if (token.value === undefined) throw new UsageError(`option '${token.rawName}' needs a value`);
    const prev = flags.get(spec.name);
    if (prev !== undefined && prev !== true && !spec.repeat) throw new UsageError(`option '${shown}' given twice`);
    flags.set(spec.name, prev !== undefined && prev !== true ? [...prev, token.value] : [token.value]);
  }
  return { positionals, flags };
}

/** Only a long name is matched against ours: a stray `-x` is one letter, too short to guess from. */
function unknownOption(raw: string, options: readonly OptionSpec[], command: string | undefined): UsageError {
  const near = raw.startsWith('--') ? nearestWord(raw.slice(2), options.map((o) => o.name)) : null;
  if (near !== null) return new UsageError(`unknown option '${raw}'; did you mean --${near}?`);
  return new UsageError(`unknown option '${raw}'${command ? ` (see sluice ${command} --help)` : ''}`);
}

export function flagValues(args: ParsedArgs, name: string): string[] {
  const v = args.flags.get(name);
  return v === undefined || v === true ? [] : v;
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return flagValues(args, name)[0];
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function integerFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const text = flagValue(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

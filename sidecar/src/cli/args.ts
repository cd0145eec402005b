import { SluiceError } from '../../../src/core/errors.js';

export class UsageError extends SluiceError<'cli/usage'> {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('cli/usage', message);
  }
}

export interface FlagSpec {
  /** Takes a value (`--port 80`, `--port=80`); otherwise a boolean switch. */
  readonly value?: boolean;
  /** May be given more than once; values are collected in order. */
  readonly repeat?: boolean;
  readonly alias?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string[] | true>;
}

/** A small strict parser: unknown flags and missing values are usage errors, never ignored. */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const aliases = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.alias) aliases.set(s.alias, name);
  const positionals: string[] = [];
  const flags = new Map<string, string[] | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const rawName = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1);
    const name = arg.startsWith('--') ? rawName : aliases.get(rawName);
    const s = name === undefined ? undefined : spec[name];
    if (name === undefined || s === undefined) throw new UsageError(`unknown option '${arg}'`);
    if (!s.value) {
      if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
    const prev = flags.get(name);
    if (prev !== undefined && prev !== true && !s.repeat) throw new UsageError(`option '--${name}' given twice`);
    flags.set(name, prev !== undefined && prev !== true ? [...prev, value] : [value]);
  }
  return { positionals, flags };
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

import { randomBytes } from 'node:crypto';
import { UsageError } from '../cli/args.js';

/**
 * One session of `sluice serve`: the torrents, folders and state that one token reaches. `name` is
 * null for the single default session (no token, or one bare `--token SECRET`), which keeps today's
 * folders; a named one (`--token NAME=SECRET`) lives in `<out>/<name>` and `<state>/tokens/<name>`.
 */
export interface ServeSessionSpec {
  readonly name: string | null;
  /** The secret a browser needs, or null on loopback without --token. */
  readonly token: string | null;
}

const SECRET = /^[\x21-\x7e]{8,200}$/;
/** A folder name on every platform, and never `.` or `..`. */
const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `NAME=SECRET` when the part before the first `=` is a name and something other than `=` follows;
 * anything else is a bare secret, as before names existed (a base64 token's trailing `=` or `==`
 * stays a bare one). A named secret is held to the bare one's rule.
 */
function splitNamed(value: string): { name: string; secret: string } | null {
  const at = value.indexOf('=');
  if (at < 1) return null;
  const name = value.slice(0, at);
  const secret = value.slice(at + 1);
  if (!NAME.test(name) || secret === '' || secret.startsWith('=')) return null;
  if (!SECRET.test(secret)) throw new UsageError(`--token '${name}': its secret must be 8 to 200 printable characters without spaces`);
  return { name, secret };
}

/**
 * The sessions `--token` values ask for. None or one bare value: one default session, as before (off
 * loopback without a token, a random one is made). Named values: one session each, in the order given.
 */
export function serveSessions(values: readonly string[], loopback: boolean): ServeSessionSpec[] {
  const named = values.map(splitNamed);
  if (named.every((n) => n === null)) {
    if (values.length > 1) throw new UsageError("option '--token' given twice (to serve several people apart, name each: --token NAME=SECRET)");
    const given = values[0];
    if (given !== undefined && !SECRET.test(given)) throw new UsageError('--token must be 8 to 200 printable characters without spaces');
    // Off loopback nobody gets in without the token: one is made when none is given.
    return [{ name: null, token: given ?? (loopback ? null : randomBytes(18).toString('base64url')) }];
  }
  const bare = values.find((_, i) => named[i] === null);
  if (bare !== undefined) throw new UsageError(`--token '${bare.slice(0, 40)}' has no name: with several tokens, each is NAME=SECRET (NAME: 1 to 32 of A-Z a-z 0-9 _ -; SECRET: 8 to 200 printable characters)`);
  const names = new Set<string>();
  const secrets = new Set<string>();
  const out: ServeSessionSpec[] = [];
  for (const n of named) {
    const { name, secret } = n!;
    // Names are folders: two that differ only in case would share one on a case-insensitive disk.
    if (names.has(name.toLowerCase())) throw new UsageError(`--token name '${name}' given twice`);
    if (secrets.has(secret)) throw new UsageError(`--token '${name}' has the same secret as another token`);
    names.add(name.toLowerCase());
    secrets.add(secret);
    out.push({ name, token: secret });
  }
  return out;
}

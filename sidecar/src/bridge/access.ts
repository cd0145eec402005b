import { timingSafeEqual, createHash } from 'node:crypto';
import { networkInterfaces, hostname } from 'node:os';

/** Who may open the bridge: a token (required off loopback), and the page origins besides the server's own. */
export interface BridgeAccess {
  /**
   * The tokens, one per session of the sidecar (none on loopback without --token): the one a request
   * carries says which session it reaches.
   */
  readonly tokens: readonly string[];
  /** Origins (`scheme://host:port`) a page may connect from, besides the server's own. */
  readonly allowOrigins: readonly string[];
  /** The server's own origins: every name it answers to on its port. */
  readonly ownOrigins: readonly string[];
}

/** `session`: the index in `tokens` of the token given (0 where no token is needed). */
export type AccessVerdict = { readonly ok: true; readonly session: number } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The origins a page of this server has: each name and address it listens on, with its scheme and
 * port. Derived from where it listens, never from the request's Host header, so a page at another
 * name that resolves here (DNS rebinding) is still foreign.
 */
export function ownOrigins(host: string, port: number, secure: boolean): string[] {
  const scheme = secure ? 'https' : 'http';
  const names = new Set<string>();
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) names.add(host);
  if (wildcard || isLoopbackHost(host)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  if (wildcard) {
    names.add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  const defaultPort = secure ? 443 : 80;
  const out: string[] = [];
  for (const n of names) {
    const shown = n.includes(':') ? `[${n}]` : n;
    out.push(port === defaultPort ? `${scheme}://${shown}` : `${scheme}://${shown}:${port}`);
  }
  return out;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashed first, so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Whether a request to /bridge may go on. The token travels in the query (`/bridge?token=T`: a browser
 * cannot set headers on a WebSocket); a missing or wrong one is 401. An `Origin` header (every browser
 * sends one) must be the server's own or in `--allow-origin`, else 403; a client without one (a script)
 * is held to the token alone.
 */
export function checkBridgeRequest(url: string, origin: string | undefined, access: BridgeAccess): AccessVerdict {
  let session = 0;
  if (access.tokens.length > 0) {
    let given: string | null = null;
    try {
      given = new URL(url, 'http://bridge.invalid').searchParams.get('token');
    } catch {
      given = null;
    }
    if (given === null) return { ok: false, status: 401, reason: 'the bridge needs its token (/bridge?token=…)' };
    // Every token is compared, so the time taken does not say which one (or whether any) matched.
    session = -1;
    for (let i = 0; i < access.tokens.length; i++) if (sameSecret(given, access.tokens[i]!)) session = i;
    if (session < 0) return { ok: false, status: 401, reason: 'wrong bridge token' };
  }
  if (origin !== undefined) {
    const o = origin.toLowerCase();
    if (!access.ownOrigins.some((x) => x.toLowerCase() === o) && !access.allowOrigins.some((x) => x.toLowerCase() === o)) {
      return { ok: false, status: 403, reason: `pages from ${origin.slice(0, 200)} may not use this bridge (see --allow-origin)` };
    }
  }
  return { ok: true, session };
}

/** A request target as logs may show it: the token's value hidden. */
export function redactToken(target: string): string {
  return target.replace(/([?&]token=)[^&#]*/gi, '$1…');
}

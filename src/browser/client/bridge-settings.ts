import type { BridgeConfig } from '../bridge/bridge-config.js';

/** `sluice:bridge`: `off`, `auto` (the default: this page's own origin) or a ws:// / wss:// URL of a bridge. */
const BRIDGE_KEY = 'sluice:bridge';
/** `sluice:bridge-token`: the token `sluice serve` printed, kept once the page was opened with it. */
const TOKEN_KEY = 'sluice:bridge-token';

export function bridgeSetting(storage: Pick<Storage, 'getItem'> | null): BridgeConfig {
  const saved = storage?.getItem(BRIDGE_KEY) ?? 'auto';
  const token = storage?.getItem(TOKEN_KEY) ?? null;
  if (saved === 'off') return { mode: 'off' };
  if (/^wss?:\/\/./.test(saved)) return { mode: 'url', url: saved, token };
  return { mode: 'auto', token };
}

/**
 * Picks the token out of an address `sluice serve` printed (`/#bridge-token=T`), keeps it, and
 * returns the address without it, so the token is neither shown nor bookmarked. Null when there is none.
 */
export function keepBridgeToken(hash: string, storage: Pick<Storage, 'setItem'> | null): string | null {
  const m = /^#bridge-token=([^&]*)(?:&(.*))?$/.exec(hash);
  if (!m) return null;
  let token = m[1]!;
  try {
    token = decodeURIComponent(token);
  } catch {
    // kept as given
  }
  if (token) storage?.setItem(TOKEN_KEY, token);
  return m[2] ? `#${m[2]}` : '';
}

import type { BridgeView } from '../browser/client/index.js';

const WORDS = { connected: 'connected', connecting: 'connecting…', down: 'down', off: 'off' } as const;

/** The bridge to a sidecar, in words; `data-bridge` carries its state for scripts and tests. */
export function BridgeLine({ view }: { readonly view: BridgeView | null }) {
  const state = view?.state ?? 'connecting';
  const where = view?.url ? ` to ${view.url}` : '';
  const refused = Object.values(view?.refusals ?? {});
  return (
    <span className="bridge" data-bridge={state} title={view?.reason ?? undefined}>
      Bridge {WORDS[state]}
      {state === 'connected' || state === 'connecting' ? where : ''}
      {view?.reason ? `: ${view.reason}` : ''}
      {refused.length > 0 ? ` (the sidecar refused: ${refused.join('; ')})` : ''}
    </span>
  );
}

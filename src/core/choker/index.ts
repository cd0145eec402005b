export { Choker, RECHOKE_INTERVAL_MS, OPTIMISTIC_INTERVAL_MS, NEW_PEER_WINDOW_MS, NEW_PEER_WEIGHT, ROUND_ROBIN_QUANTUM_MS } from './choker.js';
export { slotsForUploadLimit, DEFAULT_UNCHOKE_SLOTS } from './slots.js';
export type { ChokerMode, ChokerOptions, ChokerPeerView, RechokeResult, SeedingAlgorithm } from './types.js';

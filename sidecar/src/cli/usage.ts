/** Usage lines, kept apart from the commands so `--help` and errors need not load them. */
export const USAGE = {
  info: 'sluice info <file.torrent | magnet> [--json]',
  create:
    'sluice create <path> [-o out.torrent] [--announce URL]... [--webseed URL]... [--piece-length BYTES] [--private] [--comment TEXT] [--hybrid] [--force] [--json]',
  download:
    'sluice download <torrent | magnet | infohash> [--out DIR] [--peer HOST:PORT]... [--tracker URL]... [--no-dht] [--dht-bootstrap HOST:PORT]... [--no-lsd] [--no-webrtc] [--no-tcp] [--webrtc-host ADDR] [--stun URL]... [--no-stun] [--encryption prefer-plaintext|prefer-encrypted|require] [--download-limit RATE] [--upload-limit RATE] [--max-peers N] [--select N,M-K] [--seed] [--sequential] [--port N] [--state DIR] [--json]',
  seed: 'sluice seed <path | file.torrent> [--data DIR] [--port N] [--tracker URL]... [--peer HOST:PORT]... [--no-dht] [--dht-bootstrap HOST:PORT]... [--no-lsd] [--no-webrtc] [--no-tcp] [--webrtc-host ADDR] [--stun URL]... [--no-stun] [--encryption prefer-plaintext|prefer-encrypted|require] [--download-limit RATE] [--upload-limit RATE] [--max-peers N] [--state DIR] [--json]',
  serve: 'sluice serve [--port N] [--host H] [--app DIR] [--json]',
  tracker: 'sluice tracker [--port N] [--host H] [--json]',
} as const;

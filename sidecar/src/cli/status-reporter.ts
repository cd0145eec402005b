import type { TorrentStatus } from '../../../src/core/api/types.js';
import { formatBytes, formatDuration } from './format.js';
import type { LogEntry } from './alert-log.js';
import type { EventOutput } from './event-log.js';
import type { CliIo } from './run.js';

/**
 * Reports a torrent's progress: a bar redrawn in place on a terminal, or one JSON object per line
 * (with --json, or whenever stdout is not a terminal) for scripts.
 */
export class StatusReporter implements EventOutput {
  readonly json: boolean;
  private drawn = false;
  /** The bar last drawn, to draw again after a line printed above it. */
  private bar = '';
  /** Event lines held back until the first line (seed's magnet line) is out: scripts read that line first. */
  private heldEvents: LogEntry[] | null = [];
  private eventsEnded = false;

  constructor(
    private readonly io: CliIo,
    jsonFlag: boolean,
  ) {
    this.json = jsonFlag || io.stdout.isTTY !== true;
  }

  line(object: Record<string, unknown>): void {
    this.clear();
    this.io.stdout.write(`${JSON.stringify(object)}\n`);
    const held = this.heldEvents;
    this.heldEvents = null;
    for (const entry of held ?? []) this.line(entry);
  }

  /** An event line, `{"event": …}`, in the JSON stream beside the status lines. */
  event(entry: LogEntry): void {
    if (this.eventsEnded) return;
    if (this.heldEvents) this.heldEvents.push(entry);
    else this.line(entry);
  }

  /**
   * No more event lines in the JSON stream: the run is over, and a script may take the last line for
   * the final status. (The shutdown's events still reach --log and --verbose.)
   */
  endEvents(): void {
    this.eventsEnded = true;
  }

  /** A line on stderr above the progress bar, which is drawn again under it. */
  aside(text: string): void {
    const redraw = this.drawn;
    this.clear();
    // A bar of stderr's own (the "Checking" bar) is wiped too: the line must start at the left edge.
    this.io.stderr.write(`${this.io.stderr.isTTY ? '\r\x1b[K' : ''}${text}\n`);
    if (redraw) this.draw(this.bar);
  }

  /** A line for a person (suppressed in JSON mode, where stdout belongs to the JSON stream). */
  say(text: string): void {
    if (this.json) return;
    this.clear();
    this.io.stdout.write(`${text}\n`);
  }

  /** A warning on stderr, in both modes (a JSON reader keeps its stdout clean; a person still sees it). */
  warn(text: string): void {
    this.clear();
    this.io.stderr.write(`sluice: warning: ${text}\n`);
  }

  update(s: TorrentStatus): void {
    if (this.json) {
      this.line({
        infoHash: s.infoHash,
        name: s.name,
        state: s.state,
        progress: round(s.progress),
        downloadRate: Math.round(s.downloadRate),
        uploadRate: Math.round(s.uploadRate),
        peers: s.peers,
        seeds: s.seeds,
        downloaded: s.downloaded,
        uploaded: s.uploaded,
        verifiedBytes: s.verifiedBytes,
        wantedBytes: s.wantedBytes,
        eta: s.eta === null ? null : Math.round(s.eta),
      });
      return;
    }
    const width = 24;
    const filled = Math.round(s.progress * width);
    const text =
      `${s.state.padEnd(11)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(s.progress * 100).toFixed(1).padStart(5)}%` +
      `  ↓ ${formatBytes(s.downloadRate)}/s  ↑ ${formatBytes(s.uploadRate)}/s  peers ${s.peers} (${s.seeds} seeds)` +
      `  ETA ${s.eta === null ? '--' : formatDuration(s.eta)}`;
    this.draw(text);
  }

  private draw(text: string): void {
    this.io.stdout.write(`\r${text}\x1b[K`);
    this.bar = text;
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) {
      this.io.stdout.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

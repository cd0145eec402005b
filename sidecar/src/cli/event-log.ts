import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Session } from '../../../src/core/engine/session.js';
import { describeAlert, formatLogLine, type DescribedEntry, type LogEntry } from './alert-log.js';
import { flagValue, hasFlag, type ParsedArgs } from './args.js';
import { describeFsError, InputError } from './read-input.js';

/** Where event lines go besides the log file: the JSON stream on stdout, and stderr for --verbose. */
export interface EventOutput {
  /** Events join the JSON stream on stdout (--json, or stdout not a terminal for download and seed). */
  readonly json: boolean;
  event(entry: LogEntry): void;
  /** A line on stderr that leaves any progress bar intact. */
  aside(text: string): void;
}

/**
 * The event log of `--log FILE`, `--verbose` and `--json`: each entry becomes a text line in the
 * file and on stderr, and a JSON line on stdout. Lines are written as they happen (a kill -9 loses
 * none that were written), and a log that cannot be written never stops a transfer.
 */
export class EventLog {
  private fd: number | null;
  private readonly unsubscribes: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly output: EventOutput,
    private readonly file: string | null,
    private readonly verbose: boolean,
  ) {
    this.fd = null;
    if (file === null) return;
    try {
      this.fd = openSync(file, 'a');
    } catch (err) {
      throw new InputError(`cannot open log file '${file}': ${describeFsError(err)}`);
    }
  }

  /** From a command's `--log FILE` and `--verbose`; a log file that cannot be opened is one line and status 2. */
  static fromArgs(args: ParsedArgs, cwd: string, output: EventOutput): EventLog {
    const file = flagValue(args, 'log');
    return new EventLog(output, file === undefined ? null : resolve(cwd, file), hasFlag(args, 'verbose'));
  }

  record(described: DescribedEntry): void {
    if (this.closed) return;
    if (this.output.json) this.output.event(described.entry);
    if (this.fd === null && !this.verbose) return;
    const text = formatLogLine(described);
    if (this.verbose) this.output.aside(text);
    if (this.fd === null) return;
    try {
      writeSync(this.fd, `${text}\n`);
    } catch (err) {
      this.output.aside(`sluice: warning: stopped writing the log file '${this.file}': ${describeFsError(err)}`);
      this.closeFile();
    }
  }

  /**
   * Logs every alert of `session` until close(), naming each torrent and each peer's client. Called
   * once per Session (serve runs one per token); `tag` names which, on its lines.
   */
  follow(session: Session, tag: string | null = null): void {
    // peer-disconnected and peer-banned carry no client; its peer-connected alert named it.
    const clients = new Map<string, string>();
    this.unsubscribes.push(session.on((alert) => {
      const key = 'address' in alert ? `${alert.infoHash} ${alert.address}` : null;
      if (alert.type === 'peer-connected') clients.set(key!, alert.client);
      const described = describeAlert(alert, { now: Date.now(), name: session.torrent(alert.infoHash)?.name ?? null, client: key === null ? null : (clients.get(key) ?? null) });
      if (alert.type === 'peer-disconnected') clients.delete(key!);
      if (described) this.record(tag === null ? described : { entry: { ...described.entry, token: tag }, detail: `${described.detail}${described.detail === '' ? '' : ' '}[${tag}]` });
    }));
  }

  close(): void {
    this.closed = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

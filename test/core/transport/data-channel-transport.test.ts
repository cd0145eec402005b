import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SluiceError } from '../../../src/core/errors.js';
import type { DataChannelTuning } from '../../../src/core/ports/rtc.js';
import {
  DataChannelTransport,
  type DataChannelEvents,
  type DataChannelPort,
  type DataChannelScheduler,
} from '../../../src/core/transport/data-channel-transport.js';
import { TransportError } from '../../../src/core/transport/errors.js';

/**
 * An in-memory data channel: records what is sent (copies, as the real stacks copy), holds it as
 * `bufferedAmount` until the test lets the "network" take it, and lets the test fire the channel's events.
 */
class FakeChannel implements DataChannelPort {
  events: DataChannelEvents | null = null;
  state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  readonly sent: Uint8Array[] = [];
  /** Every call the transport made that the far side could see, in order. */
  readonly log: string[] = [];
  buffered = 0;
  threshold = 0;
  maxSize = 0;
  address: string | null = '192.0.2.7:5000';
  sendError: Error | null = null;
  releases = 0;
  /** Like node-datachannel: events already queued land a turn later; like the browser when false. */
  deferQueuedEvents = false;
  readonly queuedEventTasks: (() => void)[] = [];

  get fire(): DataChannelEvents {
    if (!this.events) throw new Error('nobody listens');
    return this.events;
  }

  listen(events: DataChannelEvents): void {
    if (this.events) throw new Error('listen called twice');
    this.events = events;
  }

  readyState() {
    return this.state;
  }

  send(message: Uint8Array): void {
    if (this.sendError) throw this.sendError;
    this.sent.push(message.slice());
    this.log.push(`send ${message.length}`);
    this.buffered += message.length;
  }

  bufferedAmount(): number {
    return this.buffered;
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.threshold = bytes;
  }

  maxMessageSize(): number {
    return this.maxSize;
  }

  remoteAddress(): string | null {
    return this.address;
  }

  close(): void {
    this.log.push('close');
    this.state = 'closing';
  }

  release(): void {
    this.releases++;
  }

  afterQueuedEvents(task: () => void): void {
    if (this.deferQueuedEvents) this.queuedEventTasks.push(task);
    else task();
  }

  /** The stack sends `n` buffered bytes; like the real ones, it reports crossing the low-water threshold. */
  transmit(n: number): void {
    const before = this.buffered;
    this.buffered = Math.max(0, before - n);
    if (before > this.threshold && this.buffered <= this.threshold) this.fire.bufferedAmountLow();
  }

  openNow(): void {
    this.state = 'open';
    this.fire.open();
  }
}

/** Turns and timers that run only when the test says so. */
class FakeScheduler implements DataChannelScheduler {
  readonly turns: (() => void)[] = [];
  readonly timers: { ms: number; task: () => void; cancelled: boolean }[] = [];

  afterTurn(task: () => void): void {
    this.turns.push(task);
  }

  after(ms: number, task: () => void): () => void {
    const timer = { ms, task, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  endTurn(): void {
    for (const task of this.turns.splice(0)) task();
  }

  fireTimers(): void {
    for (const t of this.timers.splice(0)) if (!t.cancelled) t.task();
  }
}

const TUNING: DataChannelTuning = { messageSize: 8, highWaterMark: 32, lowWaterMark: 8 };

function setup(tuning: DataChannelTuning = TUNING) {
  const channel = new FakeChannel();
  const scheduler = new FakeScheduler();
  const transport = new DataChannelTransport(channel, true, tuning, scheduler);
  const events: string[] = [];
  const received: number[] = [];
  const closes: (SluiceError | undefined)[] = [];
  transport.attach({
    data: (chunk) => {
      events.push(`data ${chunk.length}`);
      received.push(...chunk);
    },
    drain: () => events.push('drain'),
    close: (error) => {
      events.push(`close ${error?.code ?? 'ok'}`);
      closes.push(error);
    },
  });
  channel.openNow();
  return { channel, scheduler, transport, events, received, closes };
}

const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const concat = (parts: readonly Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('DataChannelTransport', () => {
  it('sets the low-water threshold and listens once', () => {
    const { channel } = setup();
    expect(channel.threshold).toBe(TUNING.lowWaterMark);
  });

  it('sends nothing during the turn, then packs its writes, in order, into full messages', () => {
    const { channel, scheduler, transport } = setup();
    expect(transport.write(bytes(0, 3))).toBe(true);
    expect(transport.write(bytes(3, 7))).toBe(true);
    expect(transport.write(bytes(10, 13))).toBe(true);
    expect(channel.sent).toEqual([]);
    scheduler.endTurn();
    expect(channel.sent.map((m) => m.length)).toEqual([8, 8, 7]);
    expect(concat(channel.sent)).toEqual(bytes(0, 23));
    // The next turn's writes are the next messages: nothing of this turn waits for them.
    transport.write(bytes(23, 2));
    scheduler.endTurn();
    expect(channel.sent.map((m) => m.length)).toEqual([8, 8, 7, 2]);
    expect(scheduler.turns).toEqual([]);
  });

  it('schedules one flush per turn however many writes it holds', () => {
    const { scheduler, transport } = setup({ messageSize: 8, highWaterMark: 1 << 20, lowWaterMark: 8 });
    for (let i = 0; i < 50; i++) transport.write(bytes(i, 1));
    expect(scheduler.turns.length).toBe(1);
  });

  it('caps messages at the maximum the far side negotiated, and never raises them above the tuning', () => {
    const small = new FakeChannel();
    small.maxSize = 5;
    const scheduler = new FakeScheduler();
    const t = new DataChannelTransport(small, false, TUNING, scheduler);
    small.openNow();
    t.write(bytes(0, 12));
    scheduler.endTurn();
    expect(small.sent.map((m) => m.length)).toEqual([5, 5, 2]);

    const { channel, scheduler: s2, transport } = setup();
    channel.maxSize = 1 << 18;
    channel.fire.open();
    transport.write(bytes(0, 20));
    s2.endTurn();
    expect(channel.sent.map((m) => m.length)).toEqual([8, 8, 4]);
  });

  it('delivers every turn\'s bytes in order as full messages (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 8 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 16 }),
        (turns, messageSize) => {
          const { channel, scheduler, transport } = setup({ messageSize, highWaterMark: 1 << 20, lowWaterMark: 0 });
          const written: Uint8Array[] = [];
          let next = 0;
          for (const sizes of turns) {
            const before = channel.sent.length;
            for (const n of sizes) {
              const w = bytes(next, n);
              next += n;
              written.push(w);
              transport.write(w);
            }
            scheduler.endTurn();
            const turn = channel.sent.slice(before);
            turn.forEach((m, i) => {
              expect(m.length).toBeGreaterThan(0);
              if (i < turn.length - 1) expect(m.length).toBe(messageSize);
            });
            expect(concat(turn).length).toBe(sizes.reduce((a, b) => a + b, 0));
          }
          expect(concat(channel.sent)).toEqual(concat(written));
        },
      ),
    );
  });

  it('refuses writes above the high-water mark and drains once, below it, on the low-water event', () => {
    const { channel, scheduler, transport, events } = setup();
    expect(transport.write(bytes(0, 16))).toBe(true);
    expect(transport.write(bytes(0, 16))).toBe(true); // exactly at the mark: still accepted
    expect(transport.write(bytes(0, 8))).toBe(false); // 40 queued > 32
    expect(transport.write(new Uint8Array(0))).toBe(false); // still above: an empty write says so too
    scheduler.endTurn();
    expect(channel.buffered).toBe(40);
    expect(events).toEqual([]); // sent, but the channel still holds more than the mark
    channel.fire.bufferedAmountLow(); // a low-water event left over from an earlier dip
    expect(events).toEqual([]);
    channel.transmit(20); // 20 left: under the high-water mark, not yet at the low one
    expect(events).toEqual([]);
    channel.transmit(12); // 8 left: the stack reports low water
    expect(events).toEqual(['drain']);
    channel.fire.bufferedAmountLow();
    channel.transmit(8);
    expect(events).toEqual(['drain']); // once per refusal
    expect(transport.write(bytes(0, 1))).toBe(true);
  });

  it('counts writes not yet flushed against the mark, and drains after a flush the channel takes at once', () => {
    const { channel, scheduler, transport, events } = setup();
    channel.buffered = 30;
    expect(transport.write(bytes(0, 3))).toBe(false); // 3 queued + 30 in the channel
    channel.buffered = 0;
    const send = channel.send.bind(channel);
    channel.send = (m) => {
      send(m);
      channel.buffered -= m.length; // a fast network: sent as soon as handed over
    };
    scheduler.endTurn();
    expect(events).toEqual(['drain']);
  });

  it('on close, sends the turn\'s writes before closing the channel; close is idempotent and nothing is sent after it', () => {
    const { channel, scheduler, transport, events } = setup();
    transport.write(bytes(0, 10));
    transport.close();
    transport.close();
    expect(channel.log).toEqual(['send 8', 'send 2', 'close']);
    expect(transport.write(bytes(0, 4))).toBe(false);
    scheduler.endTurn();
    expect(channel.log).toEqual(['send 8', 'send 2', 'close']);
    expect(events).toEqual([]); // the close is told when the channel reports it
    channel.fire.closed();
    channel.fire.closed();
    channel.fire.message(bytes(0, 3));
    channel.fire.bufferedAmountLow();
    expect(events).toEqual(['close ok']);
    expect(channel.releases).toBe(1);
    expect(scheduler.timers.map((t) => [t.ms, t.cancelled])).toEqual([[2000, true]]);
  });

  it('ends after the grace period when the channel never reports closed', () => {
    const { channel, scheduler, transport, events } = setup();
    transport.close();
    scheduler.fireTimers();
    expect(events).toEqual(['close ok']);
    expect(channel.releases).toBe(1);
    channel.fire.closed();
    expect(events).toEqual(['close ok']);
  });

  it('ends at once when the channel refuses to close', () => {
    const { channel, transport, closes } = setup();
    channel.close = () => {
      throw new Error('already closed');
    };
    transport.close();
    expect(closes).toEqual([undefined]);
    expect(channel.releases).toBe(1);
  });

  it('delivers a message queued before the close where the stack queues events apart, and nothing after', () => {
    const { channel, events, received } = setup();
    channel.deferQueuedEvents = true;
    channel.fire.closed();
    channel.fire.message(bytes(5, 2)); // was already in the message queue
    expect(events).toEqual(['data 2']);
    for (const task of channel.queuedEventTasks.splice(0)) task();
    channel.fire.message(bytes(9, 1));
    expect(events).toEqual(['data 2', 'close ok']);
    expect(received).toEqual([5, 6]);
  });

  it('closes with the channel error as transport/io', () => {
    const { channel, closes } = setup();
    channel.fire.error('SCTP stream reset');
    channel.fire.closed();
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(TransportError);
    expect(closes[0]?.code).toBe('transport/io');
    expect(closes[0]?.message).toBe('data channel error: SCTP stream reset');
  });

  it('ends at once with transport/reset when the connection fails, keeping the first error', () => {
    const { channel, transport, closes } = setup();
    channel.fire.connectionFailed();
    expect(closes.map((e) => [e?.code, e?.message])).toEqual([['transport/reset', 'the WebRTC connection failed']]);
    expect(transport.write(bytes(0, 1))).toBe(false);

    const second = setup();
    second.channel.fire.error('boom');
    second.channel.fire.connectionFailed();
    expect(second.closes.map((e) => e?.code)).toEqual(['transport/io']);
  });

  it('closes with transport/reset when a send throws, and with the caller\'s error otherwise', () => {
    const { channel, scheduler, transport, closes } = setup();
    channel.sendError = new Error('DataChannel is closed');
    transport.write(bytes(0, 4));
    scheduler.endTurn();
    expect(channel.log).toEqual(['close']);
    channel.fire.closed();
    expect(closes.map((e) => [e?.code, e?.message])).toEqual([['transport/reset', 'data channel send failed: DataChannel is closed']]);

    const other = setup();
    const reason = new TransportError('transport/timeout', 'the peer went quiet');
    other.transport.close(reason);
    other.channel.fire.closed();
    expect(other.closes).toEqual([reason]);
  });

  it('replays data that came before attach, and tells the close after it', () => {
    const channel = new FakeChannel();
    const t = new DataChannelTransport(channel, false, TUNING, new FakeScheduler());
    channel.openNow();
    channel.fire.message(bytes(1, 2));
    channel.fire.closed();
    const seen: string[] = [];
    t.attach({ data: (c) => seen.push(`data ${[...c]}`), drain: () => seen.push('drain'), close: (e) => seen.push(`close ${e?.code ?? 'ok'}`) });
    expect(seen).toEqual(['data 1,2', 'close ok']);
  });

  it('tells the connector of the open, with the remote address, or of the end before it', () => {
    const channel = new FakeChannel();
    channel.address = null;
    const t = new DataChannelTransport(channel, true, TUNING, new FakeScheduler());
    const told: string[] = [];
    t.watch(() => told.push(`open ${t.remoteAddress}`), (e) => told.push(`end ${e?.code}`));
    expect(t.remoteAddress).toBe('webrtc');
    channel.openNow();
    channel.address = '[2001:db8::1]:6881'; // reported after the open: looked up again while unknown
    expect(told).toEqual(['open webrtc']);
    expect(t.remoteAddress).toBe('[2001:db8::1]:6881');
    channel.fire.closed();
    expect(told).toEqual(['open webrtc']); // the connector hears only one of the two

    const never = new FakeChannel();
    const n = new DataChannelTransport(never, true, TUNING, new FakeScheduler());
    const heard: string[] = [];
    n.watch(() => heard.push('open'), (e) => heard.push(`end ${e?.code}`));
    never.fire.error('DTLS handshake failed');
    never.fire.closed();
    never.fire.open();
    expect(heard).toEqual(['end transport/io']);
    expect(never.releases).toBe(1);
  });

  it('opens at once on a channel that is open already, and ends at once on one that has closed', () => {
    const open = new FakeChannel();
    open.state = 'open';
    const a = new DataChannelTransport(open, false, TUNING, new FakeScheduler());
    const told: string[] = [];
    a.watch(() => told.push('open'), () => told.push('end'));
    const closed = new FakeChannel();
    closed.state = 'closed';
    const b = new DataChannelTransport(closed, false, TUNING, new FakeScheduler());
    b.watch(() => told.push('open'), () => told.push('end'));
    expect(told).toEqual(['open', 'end']);
    expect(a.kind).toBe('webrtc');
    expect(a.outgoing).toBe(false);
  });
});

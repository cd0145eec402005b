import { BridgeMux, type BridgeScheduler, type BridgeSocket } from '../../../src/core/bridge/mux.js';
import type { ControlMessage } from '../../../src/core/bridge/control.js';

export const nodeScheduler: BridgeScheduler = {
  afterTurn: (task) => void setImmediate(task),
  after: (ms, task) => {
    const t = setTimeout(task, ms);
    return () => clearTimeout(t);
  },
};

/** Two in-memory sockets back to back: frames arrive a macrotask later, and count as buffered until they do. */
export function socketPair(): { a: BridgeSocket & { deliver: (frame: Uint8Array) => void }; b: BridgeSocket & { deliver: (frame: Uint8Array) => void }; close(): void } {
  let open = true;
  const make = () => {
    let buffered = 0;
    const side = {
      peer: null as null | { receive: (f: Uint8Array) => void },
      deliver: (_frame: Uint8Array) => {},
      send(frame: Uint8Array) {
        if (!open) return;
        buffered += frame.length;
        const copy = frame.slice();
        setImmediate(() => {
          buffered -= copy.length;
          if (open) side.deliverToPeer(copy);
        });
      },
      deliverToPeer: (_f: Uint8Array) => {},
      bufferedAmount: () => buffered,
    };
    return side;
  };
  const a = make();
  const b = make();
  a.deliverToPeer = (f) => b.deliver(f);
  b.deliverToPeer = (f) => a.deliver(f);
  return { a, b, close: () => void (open = false) };
}

/** Two muxes joined by a socketPair; control messages are recorded. */
export function muxPair(highWaterMark = 1 << 20) {
  const sockets = socketPair();
  const controlA: ControlMessage[] = [];
  const controlB: ControlMessage[] = [];
  const a = new BridgeMux({ socket: sockets.a, scheduler: nodeScheduler, onControl: (m) => controlA.push(m), highWaterMark });
  const b = new BridgeMux({ socket: sockets.b, scheduler: nodeScheduler, onControl: (m) => controlB.push(m), highWaterMark });
  sockets.a.deliver = (f) => a.receive(f);
  sockets.b.deliver = (f) => b.receive(f);
  return { a, b, controlA, controlB, sockets };
}

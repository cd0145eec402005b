/**
 * A promise settled from outside, once: later resolves and rejects are ignored. It is never reported
 * as an unhandled rejection, since its caller may never ask for it (a connection attempt nobody awaits).
 */
export function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: Error) => void = () => {};
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  const promise = new Promise<T>((res, rej) => {
    resolve = (v) => {
      if (state !== 'pending') return;
      state = 'resolved';
      res(v);
    };
    reject = (e) => {
      if (state !== 'pending') return;
      state = 'rejected';
      rej(e);
    };
  });
  promise.catch(() => {});
  return { promise, resolve, reject, settled: () => state !== 'pending', rejected: () => state === 'rejected' };
}

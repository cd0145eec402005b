// Test-only worker of test/browser/page/firefox-check.js: writes pattern bytes to OPFS through a
// FileSystemSyncAccessHandle in 1 MiB writes, reads them back through the same handle, and answers
// with what it wrote and read.
import { pattern, sha256 } from '/pattern.js';

self.onmessage = async ({ data: { seed, total } }) => {
  try {
    const root = await navigator.storage.getDirectory();
    const handle = await (await root.getFileHandle('check.bin', { create: true })).createSyncAccessHandle();
    const bytes = pattern(seed, total);
    let written = 0;
    for (let at = 0; at < total; at += 1 << 20) written += handle.write(bytes.subarray(at, Math.min(total, at + (1 << 20))), { at });
    handle.flush();
    const size = handle.getSize();
    const back = new Uint8Array(size);
    const read = handle.read(back, { at: 0 });
    handle.close();
    self.postMessage({ written, size, read, workerSha256: await sha256(back) });
  } catch (err) {
    self.postMessage({ error: `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}` });
  }
};

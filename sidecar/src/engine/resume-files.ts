import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResumeStore } from '../../../src/core/engine/context.js';

/** Resume data as one file per torrent under `<stateDir>/resume/`, replaced atomically (write, then rename). */
export function resumeFiles(stateDir: string): ResumeStore {
  const dir = join(stateDir, 'resume');
  const path = (key: string) => join(dir, `${key.replace(/[^0-9a-z]/gi, '')}.resume`);
  return {
    async load(key) {
      try {
        const data = await readFile(path(key));
        return new Uint8Array(data.buffer, data.byteOffset, data.length);
      } catch {
        return null;
      }
    },
    async save(key, data) {
      await mkdir(dir, { recursive: true });
      const tmp = `${path(key)}.${process.pid}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, path(key));
    },
    async remove(key) {
      await rm(path(key), { force: true });
    },
  };
}

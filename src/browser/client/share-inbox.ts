import { SHARE_CACHE } from '../sw/share-target.js';

/**
 * The files another app shared with Sluice (the manifest's share_target), which the Service Worker
 * left in Cache Storage under `/share/<id>/<n>`. They come back as Files backed by the cache (not
 * read into memory), and the entries are deleted once taken.
 */
export async function takeSharedFiles(id: string): Promise<File[]> {
  if (!/^[0-9a-f-]{36}$/.test(id) || typeof caches === 'undefined') return [];
  const cache = await caches.open(SHARE_CACHE);
  const prefix = `${location.origin}/share/${id}/`;
  const requests = (await cache.keys()).filter((r) => r.url.startsWith(prefix));
  requests.sort((a, b) => Number(a.url.slice(prefix.length)) - Number(b.url.slice(prefix.length)));
  const files: File[] = [];
  for (const request of requests) {
    const response = await cache.match(request);
    if (!response) continue;
    const blob = await response.blob();
    const name = decodeURIComponent(response.headers.get('X-File-Name') ?? 'shared');
    files.push(new File([blob], name, { type: blob.type, lastModified: Number(response.headers.get('X-Last-Modified')) || Date.now() }));
  }
  return files;
}

/** Deletes what `takeSharedFiles(id)` returned, once the engine has it. */
export async function forgetSharedFiles(id: string): Promise<void> {
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(SHARE_CACHE);
  const prefix = `${location.origin}/share/${id}/`;
  for (const request of await cache.keys()) if (request.url.startsWith(prefix)) await cache.delete(request);
}

/**
 * The manifest's `share_target`: another app shares files (to seed) or a link or text (to add) by a
 * POST of multipart form data to /share. The SW answers with a redirect into the app. Shared files
 * wait in a Cache Storage entry (a Response around the File: nothing is read into memory) until the
 * page takes them (src/browser/client/share-inbox.ts).
 */

export const SHARE_ACTION = '/share';
export const SHARE_CACHE = 'sluice-share';

export async function answerShare(request: Request): Promise<Response> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return Response.redirect(`/?share-error=${encodeURIComponent('the shared data could not be read')}`, 303);
  }
  const files = form.getAll('files').filter((f): f is File => typeof f !== 'string' && f.name !== '');
  if (files.length > 0) {
    const id = crypto.randomUUID();
    const cache = await caches.open(SHARE_CACHE);
    await Promise.all(
      files.map((file, n) =>
        cache.put(`/share/${id}/${n}`, new Response(file, { headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name), 'X-Last-Modified': String(file.lastModified) } })),
      ),
    );
    return Response.redirect(`/?share=${id}`, 303);
  }
  const link = sharedLink([form.get('url'), form.get('text'), form.get('title')]);
  if (link) return Response.redirect(`/?add=${encodeURIComponent(link)}`, 303);
  return Response.redirect(`/?share-error=${encodeURIComponent('nothing to add was shared: no file, magnet link or .torrent URL')}`, 303);
}

/** The first magnet or http(s) URL in the shared fields (apps put links in `text` as often as in `url`). */
export function sharedLink(fields: readonly (FormDataEntryValue | null)[]): string | null {
  for (const field of fields) {
    if (typeof field !== 'string') continue;
    const m = /magnet:\?[^\s"'<>]+|https?:\/\/[^\s"'<>]+/i.exec(field);
    if (m) return m[0];
    if (/^\s*([0-9a-fA-F]{40}|[A-Za-z2-7]{32})\s*$/.test(field)) return field.trim();
  }
  return null;
}

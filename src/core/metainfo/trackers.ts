import type { BencodeDictionary } from '../bencode/node.js';
import { MetainfoError } from './errors.js';
import { asBytes, asList, lossyText, optionalBytes, optionalList } from './fields.js';

/**
 * BEP 12 tiers: `announce-list` when it names any tracker (then `announce` is ignored), otherwise a
 * lone `announce` as one tier. Empty URLs and empty tiers are dropped; a URL keeps its first place.
 */
export function readAnnounce(root: BencodeDictionary): string[][] {
  const seen = new Set<string>();
  const tiers: string[][] = [];
  const list = optionalList(root, 'announce-list', '');
  for (let t = 0; t < (list?.items.length ?? 0); t++) {
    const tier = asList(list!.items[t]!, `'announce-list'[${t}]`);
    const urls: string[] = [];
    for (let u = 0; u < tier.items.length; u++) {
      const url = lossyText(asBytes(tier.items[u]!, `'announce-list'[${t}][${u}]`).value);
      if (url === '' || seen.has(url)) continue;
      seen.add(url);
      urls.push(url);
    }
    if (urls.length > 0) tiers.push(urls);
  }
  if (tiers.length > 0) return tiers;
  const announce = optionalBytes(root, 'announce', '');
  const url = announce === undefined ? '' : lossyText(announce.value);
  return url === '' ? [] : [[url]];
}

/** BEP 19 `url-list`: one URL or a list of them. */
export function readUrlList(root: BencodeDictionary): string[] {
  const node = root.get('url-list');
  if (node === undefined) return [];
  const items = node.kind === 'bytes' ? [node] : node.kind === 'list' ? node.items : null;
  if (items === null) throw new MetainfoError('metainfo/wrong-type', `'url-list' must be a byte string or a list`);
  const urls = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const url = lossyText(asBytes(items[i]!, `'url-list'[${i}]`).value);
    if (url !== '') urls.add(url);
  }
  return [...urls];
}

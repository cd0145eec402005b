import type { StorageReport } from '../browser/client/index.js';
import { formatBytes } from './format.js';

/** How much of the site's storage quota is used, and whether the browser promised to keep it. */
export function StorageLine({ report }: { readonly report: StorageReport | null }) {
  if (!report) return null;
  return (
    <p className="storage" data-usage={report.usage} data-quota={report.quota} data-persisted={String(report.persisted)}>
      Storage: {formatBytes(report.usage)} used of {formatBytes(report.quota)} available to this site ·{' '}
      {report.persisted ? 'kept by the browser' : 'the browser may clear it when space runs low'}
    </p>
  );
}

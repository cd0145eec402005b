/** What was dropped on the page: each file, with its path when it came inside a folder. */
export interface Dropped {
  readonly files: readonly File[];
  /** `folder/sub/name` for files inside a dropped folder, the bare name otherwise. */
  readonly paths: readonly string[];
}

/**
 * Reads a drop's items while the event is live (`webkitGetAsEntry` works only then), walking dropped
 * folders; files whose entries the browser does not give come from `dataTransfer.files`.
 */
export async function droppedFiles(data: DataTransfer): Promise<Dropped> {
  const entries = [...data.items].flatMap((item) => {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
    return entry ? [entry] : [];
  });
  if (entries.length === 0) {
    const files = [...data.files];
    return { files, paths: files.map((f) => f.name) };
  }
  const files: File[] = [];
  const paths: string[] = [];
  for (const entry of entries) await walk(entry, '', files, paths);
  return { files, paths };
}

async function walk(entry: FileSystemEntry, parent: string, files: File[], paths: string[]): Promise<void> {
  const path = parent ? `${parent}/${entry.name}` : entry.name;
  if (entry.isFile) {
    files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    paths.push(path);
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, path, files, paths);
  }
}

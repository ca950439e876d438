import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

// A crash leaves either the old file or the new one, never a torn one: the bytes go to a temporary name,
// reach the disk (fsync), and only then take the real name (rename is atomic on one file system); the
// folder is synced so that the rename itself survives a power loss.

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `file` atomically (temporary name, fsync, rename, folder fsync). */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  await syncFolder(dirname(file));
}

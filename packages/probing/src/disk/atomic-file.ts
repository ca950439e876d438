import { open, rename } from 'node:fs/promises';

// A crash leaves either the old file or the new one, never a torn one: the bytes go to a temporary name and
// reach the disk (fsync) before the rename gives them the real name (atomic on one file system). A rename
// itself reaches the disk only when its folder is synced; the disk sink decides when that is needed.

/** Syncs `folder`, so that the renames made in it survive a power loss. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `bytes` atomically: writes and fsyncs `file.tmp`, runs `beforeRename` (the disk sink
 * syncs the folder there, once for the shard renamed before and this file), then renames. The rename is not
 * synced: until the folder is synced, a power loss may give back the old file, never a torn one.
 */
export async function writeFileAtomic(
  file: string,
  bytes: Uint8Array | string,
  beforeRename?: () => Promise<void>,
): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await beforeRename?.();
  await rename(temporary, file);
}

import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * The stable codes of {@link DiskCacheError}:
 * - `E_CACHE_MISMATCH`: the folder holds a cache made with another configuration (or other keys and shapes),
 *   so a run cannot resume it;
 * - `E_CACHE_FOLDER`: the folder holds files that are not a cache's, or a shard listed in the manifest is missing;
 * - `E_CACHE_MANIFEST`: `manifest.json` is not a manifest this version reads.
 *
 * @example
 * const code: DiskCacheErrorCode = 'E_CACHE_MISMATCH';
 */
export type DiskCacheErrorCode = 'E_CACHE_MISMATCH' | 'E_CACHE_FOLDER' | 'E_CACHE_MANIFEST';

/**
 * An activation cache folder that cannot be written, resumed or read. `code` says why
 * ({@link DiskCacheErrorCode}); `folder` names it. The folder is left as it was.
 *
 * @example
 * try {
 *   await cacheDataset(model, batches, { select: 'fc1', sink: diskActivationSink('cache/fc1') });
 * } catch (error) {
 *   if (error instanceof DiskCacheError && error.code === 'E_CACHE_MISMATCH') console.error(error.message);
 * }
 */
export class DiskCacheError extends TdhookError {
  override readonly name: string = 'DiskCacheError';
  override readonly code: DiskCacheErrorCode;
  readonly folder: string;

  constructor(code: DiskCacheErrorCode, folder: string, init: Omit<TdhookErrorInit, 'where'>) {
    super({ ...init, code, where: `folder ${folder}` });
    this.code = code;
    this.folder = folder;
  }
}

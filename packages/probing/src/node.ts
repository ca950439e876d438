// @tdhook/probing/node: what needs the file system: activation caches written to and streamed from
// safetensors shards on disk.

// Activation caching on disk
export { DiskCacheError, type DiskCacheErrorCode } from './disk/disk-cache-error.js';
export { diskActivationSink, type DiskActivationSinkOptions } from './disk/disk-sink.js';
export { readActivationCache, readActivationShards } from './disk/read-shards.js';
export {
  readShardManifest,
  type ShardEntry,
  type ShardKey,
  type ShardManifest,
} from './disk/shard-manifest.js';

// @tdhook/probing/node: what needs the file system: activation caches written to and streamed from
// safetensors shards on disk.
export {};

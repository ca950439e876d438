"""Reads an activation cache folder written by @tdhook/probing/node with numpy only (no safetensors package).

Usage: python3 read-shards.py <folder>. Prints, as JSON, every cached key's concatenated array (shape and
values), so that the test (disk-python.test.ts) can compare them with what TypeScript reads back. The same
code is in docs/disk-cache.md.
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np


def read_safetensors(path):
    """The safetensors layout: u64 little-endian header length, the JSON header, then the raw tensor bytes."""
    data = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = data[8 + length :]
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = body[begin:end]
        if entry["dtype"] == "BF16":  # numpy has no bfloat16: widen the 16 bits to float32
            array = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            dtype = {"F32": "<f4", "F16": "<f2", "I32": "<i4", "I64": "<i8"}[entry["dtype"]]
            array = np.frombuffer(raw, dtype=dtype)
        arrays[name] = array.reshape(entry["shape"])
    return arrays


def read_cache(folder):
    """Every key of the cache, its shards concatenated in row order (manifest.json lists them)."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    shards = [read_safetensors(Path(folder) / shard["file"]) for shard in manifest["shards"]]
    return {
        key["name"]: np.concatenate([shard[key["name"]] for shard in shards])
        for key in manifest["keys"]
    }


if __name__ == "__main__":
    cache = read_cache(sys.argv[1])
    print(
        json.dumps(
            {
                name: {"shape": list(array.shape), "values": array.astype(np.float64).ravel().tolist()}
                for name, array in cache.items()
            }
        )
    )

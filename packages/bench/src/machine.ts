import { cpus, platform, release, totalmem } from 'node:os';

import { version_core } from '@tensorflow/tfjs-core';

import type { Machine } from './measurement.js';

/**
 * The machine this process runs on, as recorded with every result.
 *
 * @example
 * describeMachine(); // { cpus: '2 × AMD EPYC', memoryGiB: 24, platform: 'linux 6.1', node: 'v20.20.2', tfjs: '4.22.0' }
 */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: `${String(list.length)} × ${list[0]?.model.trim() ?? 'CPU'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    tfjs: version_core,
  };
}

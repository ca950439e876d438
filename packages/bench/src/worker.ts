// One benchmark measurement in a fresh process: everything before the variant is ready counts as spawn (Node
// start-up, imports, backend start, setup), then warm-up and measured calls. Started by runSuite with fork().
import { performance } from 'node:perf_hooks';

import type * as TfCore from '@tensorflow/tfjs-core';

import type { Measurement } from './measurement.js';
import type { PreparedVariant, RunResult, Suite } from './scenario.js';
import { summarise } from './stats.js';
import type { WorkerJob, WorkerReply } from './worker-protocol.js';

type Tf = typeof TfCore;

function tensorsOf(result: RunResult): TfCore.Tensor[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? [...(result as TfCore.Tensor[])] : [result as TfCore.Tensor];
}

/** Runs the call and waits until it settles and the backend has finished it (reading each result back). */
async function callOnce(tf: Tf, prepared: PreparedVariant): Promise<void> {
  const results = tensorsOf(await prepared.run());
  for (const tensor of results) tensor.dataSync();
  tf.dispose(results);
}

async function measure(job: WorkerJob): Promise<Measurement> {
  const { initBackend } = await import('@tdhook/backend');
  const tf = await import('@tensorflow/tfjs-core');
  const backend = await initBackend(job.backend === undefined ? {} : { backend: job.backend as never });
  const suite = ((await import(job.suite)) as { suite: Suite }).suite;
  const scenario = suite.find((candidate) => candidate.id === job.scenario);
  const setup = scenario?.variants[job.variant];
  if (setup === undefined)
    throw new Error(`No variant '${job.variant}' of scenario '${job.scenario}' in ${job.suite}`);
  const prepared = await setup(job.params as never);
  const spawnMs = performance.now();
  try {
    const tensorBytesAfterSetup = tf.memory().numBytes;
    for (let run = 0; run < job.repetitions.warmup; run++) await callOnce(tf, prepared);
    const times: number[] = [];
    for (let run = 0; run < job.repetitions.runs; run++) {
      const started = performance.now();
      await callOnce(tf, prepared);
      times.push(performance.now() - started);
    }
    const profile = await tf.profile(() => callOnce(tf, prepared));
    const memory = tf.memory() as { numBytesInGPU?: number };
    const note = prepared.note?.();
    return {
      scenario: job.scenario,
      variant: job.variant,
      params: job.params,
      backend: backend.backend,
      spawnMs,
      run: summarise(times),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      tensorBytesAfterSetup,
      tensorPeakBytes: Math.max(0, profile.peakBytes - tensorBytesAfterSetup),
      ...(memory.numBytesInGPU === undefined ? {} : { gpuBytes: memory.numBytesInGPU }),
      ...(note === undefined ? {} : { note }),
    };
  } finally {
    prepared.dispose();
  }
}

process.once('message', (message: unknown) => {
  const job = message as WorkerJob;
  measure(job).then(
    (measurement) => {
      const reply: WorkerReply = { ok: true, measurement };
      process.send?.(reply, () => process.exit(0));
    },
    (error: unknown) => {
      const reply: WorkerReply = { ok: false, error: error instanceof Error ? error.message : String(error) };
      process.send?.(reply, () => process.exit(0));
    },
  );
});

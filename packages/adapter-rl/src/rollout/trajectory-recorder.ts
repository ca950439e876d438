import * as tf from '@tensorflow/tfjs-core';
import type { Key } from '@tdhook/core';

/** What the environments report at one step, one entry per environment. */
export interface EnvStepRecord {
  /** Observations, `[envs, ...observation]` row-major. */
  readonly observation: Float32Array;
  readonly nextObservation: Float32Array;
  readonly action: Int32Array;
  readonly logProb: Float32Array | undefined;
  readonly reward: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly episode: Int32Array;
  readonly mask: Uint8Array;
  /** Info values of the observation's state, by name. */
  readonly info: ReadonlyMap<string, Float32Array>;
}

/**
 * Keeps the environments' side of a rollout in plain arrays (no tensor per step) and turns it into
 * `[envs, steps, ...]` tensors once at the end.
 */
export class TrajectoryRecorder {
  readonly #records: EnvStepRecord[] = [];
  readonly #envs: number;
  readonly #observationShape: readonly number[];
  readonly #observationSize: number;

  constructor(envs: number, observationShape: readonly number[]) {
    this.#envs = envs;
    this.#observationShape = observationShape;
    this.#observationSize = observationShape.reduce((total, size) => total * size, 1);
  }

  get steps(): number {
    return this.#records.length;
  }

  push(record: EnvStepRecord): void {
    this.#records.push(record);
  }

  /** Env-major copy of one per-step field: `[envs, steps, width]`. */
  #gather<T extends Float32Array | Int32Array | Uint8Array>(
    make: new (size: number) => T,
    width: number,
    read: (record: EnvStepRecord) => T,
  ): T {
    const steps = this.#records.length;
    const envs = this.#envs;
    const out = new make(envs * steps * width);
    // No subarray per environment and step (this runs for every field of every step): one environment's
    // values are contiguous, several are copied by index.
    for (let t = 0; t < steps; t++) {
      const values = read(this.#records[t] as EnvStepRecord);
      if (envs === 1) {
        out.set(values.length === width ? values : values.subarray(0, width), t * width);
        continue;
      }
      for (let env = 0; env < envs; env++) {
        const from = env * width;
        const to = (env * steps + t) * width;
        for (let item = 0; item < width; item++) out[to + item] = values[from + item] as number;
      }
    }
    return out;
  }

  /**
   * The recorded keys as `[envs, steps, ...]` tensors (the caller owns them): observation, next observation,
   * action, log_prob (if sampled), reward, terminated, truncated, done, episode, mask and info.
   */
  tensors(): { key: Key; value: tf.Tensor }[] {
    const batch = [this.#envs, this.#records.length];
    const observationShape = [...batch, ...this.#observationShape];
    const flag = (read: (record: EnvStepRecord) => Uint8Array): tf.Tensor =>
      tf.tensor(this.#gather(Uint8Array, 1, read), batch, 'bool');
    const done = this.#gather(Uint8Array, 1, (record) => {
      const both = new Uint8Array(this.#envs);
      for (let env = 0; env < this.#envs; env++)
        both[env] = (record.terminated[env] ?? 0) | (record.truncated[env] ?? 0);
      return both;
    });
    const [first] = this.#records;
    const entries: { key: Key; value: tf.Tensor }[] = [
      {
        key: ['observation'],
        value: tf.tensor(
          this.#gather(Float32Array, this.#observationSize, (record) => record.observation),
          observationShape,
        ),
      },
      {
        key: ['action'],
        value: tf.tensor(
          this.#gather(Int32Array, 1, (record) => record.action),
          batch,
          'int32',
        ),
      },
      {
        key: ['reward'],
        value: tf.tensor(
          this.#gather(Float32Array, 1, (record) => record.reward),
          batch,
        ),
      },
      { key: ['terminated'], value: flag((record) => record.terminated) },
      { key: ['truncated'], value: flag((record) => record.truncated) },
      { key: ['done'], value: tf.tensor(done, batch, 'bool') },
      {
        key: ['episode'],
        value: tf.tensor(
          this.#gather(Int32Array, 1, (record) => record.episode),
          batch,
          'int32',
        ),
      },
      { key: ['mask'], value: flag((record) => record.mask) },
      {
        key: ['next', 'observation'],
        value: tf.tensor(
          this.#gather(Float32Array, this.#observationSize, (record) => record.nextObservation),
          observationShape,
        ),
      },
    ];
    if (first?.logProb !== undefined) {
      entries.push({
        key: ['log_prob'],
        value: tf.tensor(
          this.#gather(Float32Array, 1, (record) => record.logProb ?? new Float32Array(this.#envs)),
          batch,
        ),
      });
    }
    for (const name of first?.info.keys() ?? []) {
      entries.push({
        key: ['info', name],
        value: tf.tensor(
          this.#gather(Float32Array, 1, (record) => record.info.get(name) ?? new Float32Array(this.#envs)),
          batch,
        ),
      });
    }
    return entries;
  }
}

import type { Measurement } from './measurement.js';
import type { Params, Repetitions } from './scenario.js';

/** The job the runner sends a worker process: one variant at one grid point. */
export interface WorkerJob {
  readonly suite: string;
  readonly scenario: string;
  readonly variant: string;
  readonly params: Params;
  readonly repetitions: Repetitions;
  /** A backend for `initBackend`, or undefined for its automatic choice. */
  readonly backend: string | undefined;
}

/** What the worker sends back. */
export type WorkerReply =
  { readonly ok: true; readonly measurement: Measurement } | { readonly ok: false; readonly error: string };

import { rawEngine, type EngineInternals } from './engine-internals.js';
import { requireInternals } from './self-check.js';

/** `tf.engine()` with its internal members, once the self-check has found them as expected. */
export function engine(): EngineInternals {
  requireInternals('engine');
  return rawEngine();
}

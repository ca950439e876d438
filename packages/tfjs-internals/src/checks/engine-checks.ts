import { rawEngine } from '../engine-internals.js';
import { assume } from './broken-assumption.js';

const where = 'engine';

/**
 * The engine members tdhook reads and writes exist with the right types, and `startTape`/`endTape` open and
 * close the tape as tfjs-core 4.x does (a fresh tape at depth 0, the depth counted up and down).
 */
export function checkEngine(): boolean {
  const engine = rawEngine() as unknown as Record<string, unknown>;
  const state = engine['state'] as Record<string, unknown> | null | undefined;
  assume(typeof state === 'object' && state !== null, where, 'tf.engine() has no `state`');
  for (const counter of ['gradientDepth', 'kernelDepth']) {
    assume(typeof state[counter] === 'number', where, `engine.state.${counter} is not a number`);
  }
  const tape = state['activeTape'];
  assume(
    tape === undefined || tape === null || Array.isArray(tape),
    where,
    'engine.state.activeTape is neither a list of tape nodes nor empty',
  );
  for (const method of ['startTape', 'endTape', 'makeTensorFromTensorInfo', 'runKernel']) {
    assume(typeof engine[method] === 'function', where, `tf.engine().${method} is not a function`);
  }
  for (const table of ['registryFactory', 'registry']) {
    assume(
      typeof engine[table] === 'object' && engine[table] !== null,
      where,
      `tf.engine().${table} is missing`,
    );
  }
  const active = engine['backendName'];
  assume(
    active === undefined || active === null || typeof active === 'string',
    where,
    'tf.engine().backendName is not a backend name',
  );

  const typed = rawEngine();
  const depth = typed.state.gradientDepth;
  const before = typed.state.activeTape;
  typed.startTape();
  const opened = typed.state.gradientDepth === depth + 1;
  const fresh = depth > 0 || (Array.isArray(typed.state.activeTape) && typed.state.activeTape.length === 0);
  typed.endTape();
  const closed = typed.state.gradientDepth === depth;
  typed.state.activeTape = before;
  typed.state.gradientDepth = depth;
  assume(
    opened && closed,
    where,
    'startTape()/endTape() do not count engine.state.gradientDepth up and down',
  );
  assume(fresh, where, 'startTape() at depth 0 does not open an empty engine.state.activeTape');
  return true;
}

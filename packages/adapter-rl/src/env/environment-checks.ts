// The argument checks every environment here shares, so that their errors read alike: an action outside the
// action space, a step with no episode running, a seed the generator cannot take, a start option it does not know.
import { ContextError, InvalidValueError } from '@tdhook/core';
import type { DiscreteSpace, ResetOptions } from './environment.js';

/** Throws unless `action` is an integer in `0 … space.n − 1`. */
export function checkAction(id: string, space: DiscreteSpace, action: number): void {
  if (Number.isInteger(action) && action >= 0 && action < space.n) return;
  const names =
    space.names === undefined ? '' : ` (${space.names.map((name, i) => `${i} = ${name}`).join(', ')})`;
  throw new InvalidValueError({
    what: `${id} has no action ${String(action)}`,
    where: `${id}.step`,
    fix: `Pass an integer from 0 to ${space.n - 1}${names}.`,
  });
}

/** Throws when `step` is called before the first `reset` or after the episode ended. */
export function checkRunning(id: string, state: 'idle' | 'running' | 'ended'): void {
  if (state === 'running') return;
  throw new ContextError({
    what:
      state === 'idle'
        ? `${id}.step was called before reset`
        : `${id}.step was called after the episode ended (terminated or truncated)`,
    where: `${id}.step`,
    fix: 'Call reset() to start an episode.',
  });
}

/**
 * Checks `reset`'s argument: known keys only, a seed in `0 … 2³² − 1`, start options named in `optionNames`
 * with finite numbers. Returns the start options (or undefined) for the environment to check further.
 */
export function checkResetOptions(
  id: string,
  options: ResetOptions | undefined,
  optionNames: readonly string[],
): Readonly<Record<string, number>> | undefined {
  if (options === undefined) return undefined;
  const where = `${id}.reset`;
  const given: unknown = options; // JavaScript callers may pass anything
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new InvalidValueError({
      what: `${id}.reset takes an object, got ${typeof given}`,
      where,
      fix: 'Pass { seed, options }.',
    });
  }
  for (const name of Object.keys(options)) {
    if (name !== 'seed' && name !== 'options') {
      throw new InvalidValueError({
        what: `${id}.reset has no option ${JSON.stringify(name)}`,
        where,
        fix: 'Pass { seed, options }.',
      });
    }
  }
  const { seed, options: start } = options;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    throw new InvalidValueError({
      what: `${id}.reset got seed ${String(seed)}`,
      where,
      fix: 'Pass an integer seed from 0 to 2^32 − 1.',
    });
  }
  if (start === undefined) return undefined;
  const startGiven: unknown = start;
  if (typeof startGiven !== 'object' || startGiven === null || Array.isArray(startGiven)) {
    throw new InvalidValueError({
      what: `${id}.reset's options must be an object`,
      where,
      fix: `Pass { ${optionNames.join(', ')} }.`,
    });
  }
  for (const [name, value] of Object.entries(start)) {
    if (!optionNames.includes(name)) {
      throw new InvalidValueError({
        what: `${id}.reset has no start option ${JSON.stringify(name)}`,
        where,
        fix: `Start options: ${optionNames.join(', ')}.`,
      });
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidValueError({
        what: `${id}.reset's start option ${name} must be a finite number, got ${String(value)}`,
        where,
        fix: 'Pass a finite number.',
      });
    }
  }
  return start;
}

import * as tf from '@tensorflow/tfjs-core';

import { TfjsInternalsError } from '../errors.js';
import { supportedTfjsCore } from '../supported-tfjs-core.js';

/** The self-check's error: names the installed tfjs-core, what it does differently, and what to install. */
export function brokenAssumption(where: string, what: string, cause?: unknown): TfjsInternalsError {
  return new TfjsInternalsError({
    code: 'E_TFJS_INTERNALS',
    what: `@tensorflow/tfjs-core ${tf.version_core} does not work as tdhook relies on: ${what}`,
    where: `tfjs-internals self-check, ${where}`,
    fix:
      `tdhook supports @tensorflow/tfjs-core ${supportedTfjsCore} (tested with 4.22.0); install a supported ` +
      'version, with the same version of your backend, or report the version at the tdhook repository.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Throws {@link brokenAssumption} unless `holds`. */
export function assume(holds: boolean, where: string, what: string): asserts holds {
  if (!holds) throw brokenAssumption(where, what);
}

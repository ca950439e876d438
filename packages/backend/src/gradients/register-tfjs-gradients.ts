import { findGradient } from '@tdhook/tfjs-internals';

/**
 * Registers tfjs-core's own gradient functions, unless they already are (the `@tensorflow/tfjs` umbrella and
 * tfjs-node register them on import). Without this, `tf.grad` fails with "gradient function not found" for a
 * user who installed tfjs-core and a backend only.
 *
 * tfjs-core ships these functions only as an ES-module tree that plain Node cannot import. The published
 * build of this package bundles that tree against the public tfjs-core API (see
 * `build/tfjs-gradients-plugin.ts`); run from source (the monorepo's tests), the gradients are registered by
 * the test setup before this is reached.
 *
 * @example
 * await registerTfjsGradients(); // 'registered', or 'already-registered'
 */
export async function registerTfjsGradients(): Promise<'registered' | 'already-registered'> {
  if (findGradient('Sum') !== undefined) return 'already-registered';
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  return 'registered';
}

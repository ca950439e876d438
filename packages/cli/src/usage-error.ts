/**
 * A command line that cannot run as written (unknown option, missing value): printed with a pointer to
 * `--help`, exit code 2.
 *
 * @example
 * throw new UsageError('--method must be one of saliency, ig, smoothgrad, guided, gradcam, lrp');
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

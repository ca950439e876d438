/**
 * A `--plugin` module that cannot be loaded or used: printed as one line, exit code 3.
 *
 * @example
 * throw new PluginError("plugin './norms.js' exports no method factories");
 */
export class PluginError extends Error {
  override readonly name: string = 'PluginError';
}

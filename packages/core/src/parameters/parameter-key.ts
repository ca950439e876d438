/**
 * The flat key of one parameter, torch `state_dict` style: the canonical module path of the module that owns
 * it, a `.`, and the parameter's own name (`'conv1.kernel'`, `'blocks.0.attn.c_attn.weight'`). A parameter of
 * the root model itself is just its name. These are the keys of {@link readParameters}' TensorDict.
 *
 * @example
 * parameterKey('conv1', 'kernel'); // 'conv1.kernel'
 * parameterKey('', 'bias');        // 'bias'
 */
export function parameterKey(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

import * as tf from '@tensorflow/tfjs-core';
import type { AttributionTarget } from '@tdhook/attribution';
import { defaultAttributionKey } from '@tdhook/attribution/plugin';
import {
  InvalidValueError,
  KeyedModel,
  TdhookError,
  TensorDict,
  type JsonValue,
  type KeyPath,
  type MethodFactory,
  type MethodLike,
} from '@tdhook/core';

import { CvError } from '../errors.js';
import { GraphModule } from '../graph/graph-module.js';
import {
  explainDefaults,
  type ExplainOptions,
  type Explanation,
  type VisionMethodName,
  type VisionModel,
} from './explain-options.js';
import { visionMethodRegistry } from './vision-method-registry.js';
import { builtInRecipes, pluginRecipe, type VisionRecipe } from './vision-recipes.js';

/**
 * Every {@link VisionMethodName}, in the order reports list them.
 *
 * @example
 * visionMethodNames.includes('lrp'); // true
 */
export const visionMethodNames: readonly VisionMethodName[] = [
  'saliency',
  'ig',
  'smoothgrad',
  'guided',
  'gradcam',
  'lrp',
];

/**
 * The registry id a method name stands for: a built-in short name's method (`'ig'` →
 * `'attribution/integrated-gradients'`), else the name itself.
 *
 * @example
 * visionMethodId('gradcam'); // 'attribution/grad-cam'
 * visionMethodId('example/input-times-gradient'); // 'example/input-times-gradient'
 */
export function visionMethodId(method: string): string {
  return Object.hasOwn(builtInRecipes, method) ? builtInRecipes[method as VisionMethodName].id : method;
}

function recipeFor(method: string): VisionRecipe {
  if (Object.hasOwn(builtInRecipes, method)) return builtInRecipes[method as VisionMethodName];
  // A built-in's registry id runs as its short name does.
  return Object.values(builtInRecipes).find((recipe) => recipe.id === method) ?? pluginRecipe(method);
}

function argmaxRows(scores: tf.Tensor2D): number[] {
  const classes = tf.argMax(scores, 1);
  const values = Array.from(classes.dataSync());
  classes.dispose();
  return values;
}

function defaultChunkSize(images: tf.Tensor4D): number {
  const [, height, width] = images.shape;
  const pixels = height * width;
  return Math.max(1, Math.min(256, Math.floor((4 * 224 * 224) / pixels)));
}

function selectOf(target: NonNullable<ExplainOptions['target']>): AttributionTarget {
  if (target === 'argmax') return { select: 'argmax' };
  if (typeof target === 'number') return { select: target };
  return { select: [...target] };
}

const attributionWhere = 'explainImages method';

/** The target is explainImages' own option: one given to the method too would not be the one reported. */
function checkMethodOptions(methodOptions: ExplainOptions['methodOptions']): void {
  if (methodOptions === undefined || !Object.hasOwn(methodOptions, 'target')) return;
  throw new InvalidValueError({
    what: 'methodOptions sets target, which explainImages sets from its own target option (and reports in the explanation)',
    where: 'explainImages methodOptions.target',
    fix: "Give the class as the target option ('argmax', a class index or one per image) instead (tdhook explain: --target).",
  });
}

function configureMethod(
  model: VisionModel,
  images: tf.Tensor4D,
  options: ExplainOptions,
): { method: MethodLike; recipe: VisionRecipe; layer: string | undefined } {
  checkMethodOptions(options.methodOptions);
  const registry = options.registry ?? visionMethodRegistry();
  const recipe = recipeFor(options.method);
  const factory = (id: string): MethodFactory<object> => {
    if (!registry.has(id)) {
      const names = [...visionMethodNames, ...registry.list().map((listing) => listing.id)];
      throw new CvError('E_CV_METHOD', {
        what: `No method '${id}' is registered`,
        where: attributionWhere,
        fix: `Use one of ${[...new Set(names)].join(', ')}, or register it: visionMethodRegistry().use(factory).`,
      });
    }
    return registry.get<object>(id);
  };
  const make = factory(recipe.id);
  const { options: recipeOptions, layer } = recipe.options({
    model,
    images,
    options,
    target: selectOf(options.target ?? explainDefaults.target),
    chunkSize: options.chunkSize ?? defaultChunkSize(images),
    factory,
  });
  const method = make({ ...recipeOptions, ...options.methodOptions });
  return { method, recipe, layer };
}

function keyName(key: readonly string[]): string {
  return key.join('/');
}

/** Refuses, before anything runs, a method whose plan does not write the attribution explainImages reads. */
function checkWritesAttribution(method: MethodLike, key: KeyPath): void {
  const outKeys = method.plan().outKeys;
  if (outKeys.some((candidate) => keyName(candidate) === keyName(key))) return;
  throw new CvError('E_CV_METHOD', {
    what: `Method '${method.id}' writes ${outKeys.map(keyName).join(', ') || 'nothing'}, not an attribution at ${keyName(key)}`,
    where: attributionWhere,
    fix: `explainImages shows attribution methods: they write ['${defaultAttributionKey}', <input key>] shaped like the input, as @tdhook/attribution's do.`,
  });
}

function checkAttributionShape(id: string, attribution: tf.Tensor, images: tf.Tensor4D): void {
  const [batch, height, width, channels] = images.shape;
  const [n, h, w, c] = attribution.shape;
  if (attribution.rank === 4 && n === batch && h === height && w === width && (c === channels || c === 1))
    return;
  throw new CvError('E_CV_METHOD', {
    what: `Method '${id}' wrote an attribution shaped [${attribution.shape.join(', ')}], not like the images [${images.shape.join(', ')}]`,
    where: attributionWhere,
    fix: 'An image attribution has the images’ shape [N, H, W, C] (or one channel: [N, H, W, 1]).',
  });
}

/** The model's scores, for methods that do not publish the model's output next to their attribution. */
function predict(model: VisionModel, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const output = model instanceof GraphModule ? model.forward(images) : model.predict(images);
    return (Array.isArray(output) ? output[0] : output) as tf.Tensor2D;
  });
}

function describeOptions(method: MethodLike, options: ExplainOptions): JsonValue | undefined {
  const callbackIds = new Map<unknown, string>(
    Object.entries(options.outputGradients ?? {}).map(([path, gradient]) =>
      typeof gradient === 'function'
        ? [gradient, `outputGradients.${path}`]
        : [gradient.fromData, `outputGradients.${path}.fromData`],
    ),
  );
  if (options.onProgress !== undefined) callbackIds.set(options.onProgress, 'onProgress');
  try {
    const description = method.describe({ callbackIds }) as { options?: JsonValue };
    return description.options;
  } catch (error) {
    // A plugin's options may hold callbacks we have no name for: the explanation does not need them.
    if (TdhookError.is(error)) return undefined;
    throw error;
  }
}

/** Where the model reads the images and writes its scores: the keys methods plan against (core's defaults). */
interface ImageKeys {
  readonly input: KeyPath;
  readonly output: KeyPath;
  /** The attribution explainImages shows: the input's, or Grad-CAM's layer's. */
  readonly attribution: KeyPath;
}

function imageKeys(model: VisionModel, layer: string | undefined): ImageKeys {
  const keyed = new KeyedModel(model);
  const [input, output] = [keyed.inKeys[0], keyed.outKeys[0]] as [KeyPath, KeyPath];
  const source: KeyPath = layer === undefined ? input : [layer];
  return { input, output, attribution: [defaultAttributionKey, ...source] };
}

/** Runs the configured method once on the images; the caller owns the two tensors returned. */
function runMethod(
  method: MethodLike,
  model: VisionModel,
  images: tf.Tensor4D,
  keys: ImageKeys,
): { attribution: tf.Tensor4D; scores: tf.Tensor2D } {
  using prepared = method.prepare(model);
  using data = new TensorDict([[keys.input, tf.clone(images)]], { batchShape: [images.shape[0]] });
  using result = prepared.run(data);
  const written = result.getTensor(keys.attribution);
  checkAttributionShape(method.id, written, images);
  const scores = result.has(keys.output)
    ? (tf.clone(result.getTensor(keys.output)) as tf.Tensor2D)
    : predict(model, images);
  return { attribution: tf.clone(written) as tf.Tensor4D, scores };
}

/**
 * Explains a batch of images with one attribution method, by built-in name or registry id, on a Layers
 * model or a {@link GraphModule}: the shared path of `tdhook explain` and the demo. Attributions come back
 * shaped like the images (Grad-CAM: one channel upsampled to the image), with the model's scores and the
 * explained classes; the model is left as it was.
 *
 * A method run by id (a plugin registered with `registry.use(factory)`) gets `{ target: { select }, ...methodOptions }`
 * and must write `['attr', 'input']`, as @tdhook/attribution's methods do; anything else is `E_CV_METHOD`.
 *
 * @throws CvError `E_CV_METHOD` for a method that is not registered or writes no image attribution,
 * `E_CV_GRAPH` for LRP on a Graph model, `E_CV_MODEL` when Grad-CAM finds no feature map;
 * InvalidValueError `E_INVALID_VALUE` for `methodOptions` that set `target`.
 *
 * @example
 * const images = await readImageBatch(['cat.png'], { size: [224, 224], normalisation: 'unit' });
 * const explanation = explainImages(model, images, { method: 'gradcam', target: 'argmax' });
 * const overlayPng = encodePng(renderExplanation(explanation, 0, await readImage('cat.png')).overlay);
 * explanation.dispose();
 */
export function explainImages<Name extends string>(
  model: VisionModel,
  images: tf.Tensor4D,
  options: ExplainOptions<Name>,
): Explanation<Name> {
  const { method, recipe, layer } = configureMethod(model, images, options);
  const keys = imageKeys(model, layer);
  checkWritesAttribution(method, keys.attribution);
  // Described before the run: nothing to dispose if describing throws.
  const description = describeOptions(method, options);
  const batch = images.shape[0];
  const wanted = options.target ?? explainDefaults.target;
  const { attribution, scores } = runMethod(method, model, images, keys);
  let target: number[];
  try {
    target =
      wanted === 'argmax'
        ? argmaxRows(scores)
        : typeof wanted === 'number'
          ? new Array<number>(batch).fill(wanted)
          : [...wanted];
  } catch (error) {
    tf.dispose([attribution, scores]);
    throw error;
  }
  return {
    method: options.method,
    id: method.id,
    options: description,
    display: recipe.display,
    attribution,
    scores,
    target,
    ...(layer === undefined ? {} : { layer }),
    dispose: () => {
      tf.dispose([attribution, scores]);
    },
  };
}

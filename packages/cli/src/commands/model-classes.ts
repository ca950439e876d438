import { CvError, describeModel, type LoadedModel } from '@tdhook/adapter-cv';

import { UsageError } from '../usage-error.js';

/**
 * The model's classes: how many (from its output shape `[N, classes]`; `undefined` when the graph leaves
 * it open) and their names, if any.
 */
export interface ModelClasses {
  readonly count: number | undefined;
  readonly labels: readonly string[] | undefined;
}

/** The number of classes, from the first output's shape; a model without class scores is refused. */
function classCount(loaded: LoadedModel): number | undefined {
  const [output] = describeModel(loaded.model).outputs;
  const shape = output?.shape ?? [];
  if (shape.length !== 2) {
    throw new CvError('E_CV_MODEL', {
      what: `The model's output is ${JSON.stringify(shape)}, not class scores [N, classes]`,
      where: 'tdhook explain',
      fix: 'tdhook explain explains classifiers: give a model whose first output is [N, classes].',
    });
  }
  return shape[1] ?? undefined;
}

/**
 * The classes of a model, with the labels from `--labels` (their count must match: a usage error
 * otherwise) or from the model's metadata (ignored, with a warning, when their count does not).
 *
 * @example
 * const { count, labels } = modelClasses(loaded, args.labels, warn);
 */
export function modelClasses(
  loaded: LoadedModel,
  flagLabels: readonly string[] | undefined,
  warn: (message: string) => void,
): ModelClasses {
  const count = classCount(loaded);
  if (flagLabels !== undefined) {
    if (count !== undefined && flagLabels.length !== count) {
      throw new UsageError(
        `--labels names ${flagLabels.length} class${flagLabels.length === 1 ? '' : 'es'}, but the model has ${count}: give ${count} comma-separated names`,
      );
    }
    return { count, labels: flagLabels };
  }
  const labels = loaded.metadata.labels;
  if (labels !== undefined && count !== undefined && labels.length !== count) {
    warn(
      `model.json's labels name ${labels.length} classes, but the model has ${count}: they are ignored (fix userDefinedMetadata.tdhook.labels, or give --labels)`,
    );
    return { count, labels: undefined };
  }
  return { count, labels };
}

/**
 * `--target` as a class index: `'argmax'`, an index below the class count, or a label.
 *
 * @example
 * parseTarget('3', { count: 10, labels: undefined }); // 3
 */
export function parseTarget(value: string | undefined, classes: ModelClasses): 'argmax' | number {
  if (value === undefined || value === 'argmax') return 'argmax';
  const { count, labels } = classes;
  if (/^\d+$/.test(value)) {
    const index = Number(value);
    if (count !== undefined && index >= count) {
      throw new UsageError(
        `--target ${value} is not a class of this model: it has ${count} classes, 0 to ${count - 1}`,
      );
    }
    return index;
  }
  const index = labels?.indexOf(value) ?? -1;
  if (index < 0) {
    throw new UsageError(
      labels === undefined
        ? `--target '${value}' is not argmax or a class index, and the model has no labels (give --labels a,b,c)`
        : `--target '${value}' is not a class of this model: ${labels.join(', ')}`,
    );
  }
  return index;
}

// The canonizer contract (zennit's Canonizer): a temporary change of the model that puts it in a form LRP
// rules apply to properly, found without changing anything (so that plans list it), applied when LRP is
// prepared and undone exactly when it is restored.
import { InvalidValueError, type JsonObject, type JsonValue, type ModelNode } from '@tdhook/core';
import { describeValue } from '@tdhook/core/plugin';

/**
 * One change a canonizer makes to one module. LRP applies the edits of a canonizer in order and records each
 * undo at once (restoring runs them in reverse order, also after an error).
 *
 * @example
 * const edit: LrpCanonizerEdit = {
 *   path: 'conv1',
 *   detail: { mergedFrom: 'bn1' },
 *   apply: () => { const saved = writeMergedWeights(); return () => restoreWeights(saved); },
 * };
 */
export interface LrpCanonizerEdit {
  /** The module whose state changes. */
  readonly path: string;
  /** What changes, as JSON for the plan (`canonizer` is added by LRP). */
  readonly detail: JsonObject;
  /** Makes the change and returns the function that puts the module back exactly as it was. */
  apply(): () => void;
}

/**
 * What {@link defineLrpCanonizer} takes.
 *
 * @example
 * const definition: LrpCanonizerDefinition = {
 *   name: 'acme/zero-biases',
 *   edits: (model) => denseLayersOf(model).map(([path, layer]) => zeroBiasEdit(path, layer)),
 * };
 */
export interface LrpCanonizerDefinition {
  /** Names the canonizer in descriptions and plans. */
  readonly name: string;
  /** Its parameters as JSON. Default `{}`. */
  readonly params?: JsonObject;
  /**
   * The edits for `model`, found by reading it only (plans call this too). An edit may read state that an
   * earlier edit of the same canonizer has not changed yet: edits are applied in order.
   */
  readonly edits: (model: ModelNode) => readonly LrpCanonizerEdit[];
}

/**
 * A canonizer: a model change LRP applies before its rules and undoes on restore, e.g.
 * `lrpCanonizer.mergeBatchNorm()`. Composites carry them (`defineLrpComposite({ ..., canonizers })`).
 *
 * @example
 * const canonizer: LrpCanonizer = lrpCanonizer.mergeBatchNorm();
 * canonizer.edits(model).map((edit) => edit.path); // ['fc1', 'bn1']: plans list these
 */
export interface LrpCanonizer {
  readonly name: string;
  readonly params: JsonObject;
  edits(model: ModelNode): readonly LrpCanonizerEdit[];
  /** `{ canonizer: name, params }`. */
  describe(): JsonValue;
}

const canonizerBrand = Symbol.for('tdhook.lrp-canonizer');

/**
 * Checks a canonizer definition and returns the canonizer.
 *
 * @example
 * const zeroBiases = defineLrpCanonizer({ name: 'acme/zero-biases', edits: (model) => findZeroBiasEdits(model) });
 * lrp({ composite: defineLrpComposite({ name: 'eps', entries: lrpBaseEntries(), canonizers: [zeroBiases] }) });
 */
export function defineLrpCanonizer(definition: LrpCanonizerDefinition): LrpCanonizer {
  const where = 'defineLrpCanonizer';
  const { name, edits } = definition;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidValueError({
      what: `A canonizer needs a non-empty name, got ${JSON.stringify(name)}`,
      where,
    });
  }
  if (typeof edits !== 'function') {
    throw new InvalidValueError({
      what: 'A canonizer needs an edits(model) function',
      where: `${where}('${name}')`,
    });
  }
  const params = describeValue(definition.params ?? {}, {}, `${where}('${name}') params`) as JsonObject;
  const description = Object.freeze({ canonizer: name, params });
  const canonizer: LrpCanonizer = {
    name,
    params,
    edits: (model) => edits(model),
    describe: () => description,
  };
  Object.defineProperty(canonizer, canonizerBrand, { value: true });
  return Object.freeze(canonizer);
}

/**
 * True for a canonizer made by {@link defineLrpCanonizer}.
 *
 * @example
 * isLrpCanonizer(lrpCanonizer.mergeBatchNorm()); // true
 */
export function isLrpCanonizer(value: unknown): value is LrpCanonizer {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, canonizerBrand);
}

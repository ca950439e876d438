// The default key of a concept selection, shared by the operator that writes it and the readers.
/**
 * Where `conceptSelection` writes its results unless `outKey` says otherwise; `readConceptSelection`
 * and `selectedChannelGradient` read from here by default.
 *
 * @example
 * readConceptSelection(result, defaultConceptSelectionKey); // the same as readConceptSelection(result)
 */
export const defaultConceptSelectionKey: readonly ['metrics', 'concept_selection'] = [
  'metrics',
  'concept_selection',
];

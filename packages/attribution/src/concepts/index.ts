export { relMax, type ConceptSelectionResult, type RelMaxOptions } from './rel-max.js';
export { conceptSelection, type ConceptSelectionOptions } from './concept-selection.js';
export { conceptChannelGradient, type ConceptChannelGradientOptions } from './channel-gradient.js';
export { readConceptSelection, type ConceptChannel } from './read-selection.js';
export { selectedChannelGradient, type SelectedChannelGradientOptions } from './selected-channel-gradient.js';
export { defaultConceptSelectionKey } from './selection-key.js';

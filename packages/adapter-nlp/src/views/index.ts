export { ansiColorSupport, attributionAnsi, type AnsiColorMode, type AnsiViewOptions } from './ansi-view.js';
export {
  attentionPatternPng,
  tokenLabel,
  type AttentionPattern,
  type AttentionPngOptions,
} from './attention-png.js';
export type { AttributedText, ColorScale } from './attributed-text.js';
export { attributionHtml, escapeHtml, type HtmlViewOptions } from './html-view.js';
export { TextViewError } from './view-error.js';

// What the HTML report is made of: sections of text, pictures and tables that the demo's stages fill in.

/**
 * A picture: a PNG written next to the report (and embedded in it), an inline SVG chart, or an HTML fragment
 * made by a tdhook view (shaded tokens), trusted: it is escaped where it is made.
 */
export type Figure = (
  | { readonly kind: 'png'; readonly file: string; readonly png: Uint8Array }
  | { readonly kind: 'svg'; readonly svg: string }
  | { readonly kind: 'html'; readonly html: string }
) & {
  readonly caption: string;
  /** A remark shown right under the caption, set apart: what a reader might otherwise take for a bug. */
  readonly note?: string;
};

/** A table of already formatted cells. */
export interface Table {
  readonly caption: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One part of the report, one stage of the demo. */
export interface ReportSection {
  readonly id: string;
  readonly title: string;
  /** A few words for the header's time line, e.g. "MNIST CNN". */
  readonly shortTitle: string;
  /** Paragraphs of plain text. */
  readonly paragraphs: readonly string[];
  readonly figures: readonly Figure[];
  readonly tables: readonly Table[];
}

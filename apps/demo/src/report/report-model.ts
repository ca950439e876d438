// What the HTML report is made of: sections of text, pictures and tables that the demo's stages fill in.

/** A picture: a PNG written next to the report (and embedded in it), or an inline SVG chart. */
export type Figure =
  | { readonly kind: 'png'; readonly file: string; readonly png: Uint8Array; readonly caption: string }
  | { readonly kind: 'svg'; readonly svg: string; readonly caption: string };

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
  /** Paragraphs of plain text. */
  readonly paragraphs: readonly string[];
  readonly figures: readonly Figure[];
  readonly tables: readonly Table[];
}

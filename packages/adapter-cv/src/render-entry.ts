// `@tdhook/adapter-cv/render`: the drawing half of the package alone (RGBA images, PNG/JPEG encoding, colour
// maps, the bitmap font, heatmaps, colour bars, labelled grids). It loads no model code, so packages that only
// draw (text and attention views in @tdhook/adapter-nlp) import it without loading tfjs-converter or
// tfjs-layers.
export * from './render/index.js';
export { createImage, type RgbaImage } from './image/rgba-image.js';
export { encodeJpeg, encodePng } from './image/encode.js';
export { CvError } from './errors.js';

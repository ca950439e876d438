export { decodeImage, sniffImageFormat, type ImageFormat } from './decode.js';
export { encodeJpeg, encodePng } from './encode.js';
export { readImage, writeJpeg, writePng } from './files.js';
export {
  imagesToTensor,
  readImageBatch,
  type ImageFit,
  type ImageTensorOptions,
} from './images-to-tensor.js';
export { normalisations, type Normalisation, type NormalisationName } from './normalisation.js';
export type { ResizeMethod } from './resample.js';
export { resizeImage } from './resize.js';
export { createImage, type RgbaImage } from './rgba-image.js';
export { tensorToImage, type TensorToImageOptions } from './tensor-to-image.js';

export { gradCam, type ConfiguredGradCamOptions, type GradCamOptions } from './grad-cam.js';

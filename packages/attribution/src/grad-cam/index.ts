export { gradCam, type GradCamOptions } from './grad-cam.js';

// Registers tfjs-core's gradient functions with the installed tfjs-core. Import the *built* file
// (`@tdhook/testing/register-gradients`, dist/): see packages/backend/build/tfjs-gradients-plugin.ts for why a plain import
// of tfjs-core's registry cannot work in Node. @tdhook/backend takes this over.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

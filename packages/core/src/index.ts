export { InvalidKeyError, TdhookError, type TdhookErrorCode, type TdhookErrorDetails } from './errors.js';
export {
  appendKeySuffix,
  formatKey,
  isKey,
  joinKeys,
  keyId,
  keysEqual,
  keyStartsWith,
  toKeyPath,
  type Key,
  type KeyPath,
} from './keys.js';

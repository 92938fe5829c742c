export {
  type CryptoBackend,
  cryptoBackend,
  cryptoReady,
  KEY_LENGTH,
  NONCE_LENGTH,
  openFramed,
  sealFramed,
  TAG_LENGTH,
  verifyFramed,
} from './aead.js';
export { fromBase64url, fromBase64urlTransient, toBase64url } from './base64url.js';
export { frame, fromUtf8, randomBytes, Scratch, utf8, utf8Into } from './bytes.js';

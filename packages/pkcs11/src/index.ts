export { type KeyRef, openPkcs11, type Pkcs11Options, type Pkcs11Token } from './token.js';

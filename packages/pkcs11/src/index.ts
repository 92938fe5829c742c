export { GCM_INVOCATION_LIMIT, type GcmInvocationOptions } from './invocation-limit.js';
export { type KeyRef, openPkcs11, type Pkcs11Options, type Pkcs11Token } from './token.js';

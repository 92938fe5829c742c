/**
 * What `#aead-native` resolves to outside Node-compatible runtimes (browsers, edge workers,
 * bundles built without the `node` condition): no native candidate, so the pure path is used.
 * Internal.
 */
import type { XChaCha20Poly1305 } from './aead.js';

/** Always `undefined` here: no native XChaCha20-Poly1305 outside `node:crypto`. */
export const nativeCandidate: XChaCha20Poly1305 | undefined = undefined;

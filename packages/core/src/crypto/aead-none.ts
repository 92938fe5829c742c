/**
 * What `#aead-native` and `#aead-wasm` resolve to outside Node-compatible runtimes (browsers,
 * edge workers, bundles built without the `node` condition): no native or WebAssembly candidate,
 * so the pure path is used and no bundle carries libsodium. Internal.
 */
import type { AeadCandidate, XChaCha20Poly1305 } from './aead.js';

/** Always `undefined` here: no native XChaCha20-Poly1305 outside `node:crypto`. */
export const nativeCandidate: AeadCandidate | undefined = undefined;

/** Always `undefined` here: the WebAssembly candidate is loaded only under the `node` condition. */
export async function loadWasmCandidate(_fallback: XChaCha20Poly1305): Promise<XChaCha20Poly1305 | undefined> {
  return undefined;
}

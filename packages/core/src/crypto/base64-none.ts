/**
 * What `#base64-native` resolves to outside Node-compatible runtimes (browsers, edge workers,
 * bundles built without the `node` condition): no native codec, so base64url.ts's own is used. Internal.
 */
import type { NativeBase64 } from './base64-native.js';

export type { NativeBase64 };

/** Always `undefined` here. */
export const nativeBase64: NativeBase64 | undefined = undefined;

import { activeCheck, type VaultTelemetry } from '../telemetry/index.js';
import type { Awaitable, KeyEncryptionKeys } from './keyring.js';

/**
 * `keys` with every wrap and unwrap that answers asynchronously (a KMS or HSM call: a local
 * keyring answers at once) reported to `telemetry` as a remote key call, from the moment it
 * was made to the moment it settled; synchronous answers pass through untouched. The same
 * kids, answers and errors; `close` passes through. While `telemetry.active()` answers `false`, a
 * call is the keys' own, made straight through (no clock read). The vault wraps its keys so only
 * when it has telemetry and its keyring is not a plain local `Keyring`.
 * @throws VaultError `INVALID_ARGUMENT` (path `telemetry.active`) for an `active` that is not a function.
 */
export function observedKeys(keys: KeyEncryptionKeys, telemetry: VaultTelemetry): KeyEncryptionKeys {
  const active = activeCheck(telemetry);
  const observe = (
    operation: 'wrap' | 'unwrap',
    kid: string,
    call: (kid: string, bytes: Uint8Array, context: Uint8Array) => Awaitable<Uint8Array>,
    bytes: Uint8Array,
    context: Uint8Array,
  ): Awaitable<Uint8Array> => {
    if (!active()) return call.call(keys, kid, bytes, context);
    const startTime = performance.now();
    const result = call.call(keys, kid, bytes, context);
    return result instanceof Promise ? telemetry.remoteKeyCall({ operation, kid, startTime }, result) : result;
  };
  const observed: KeyEncryptionKeys = {
    get primaryKid() {
      return keys.primaryKid;
    },
    get kids() {
      return keys.kids;
    },
    has: (kid) => keys.has(kid),
    wrap: (kid, dek, context) => observe('wrap', kid, keys.wrap, dek, context),
    unwrap: (kid, wrapped, context) => observe('unwrap', kid, keys.unwrap, wrapped, context),
  };
  const { close } = keys;
  if (close !== undefined) observed.close = () => close.call(keys);
  return observed;
}

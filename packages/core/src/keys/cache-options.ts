import { checkFunction, checkWholeNumber, invalidArgument, isRecordLike } from '../errors/index.js';
import type { UnwrapCacheOptions } from './cached-keys.js';

/**
 * Checks {@link UnwrapCacheOptions} given as `path` (e.g. `unwrapCache`): an object whose
 * `maxEntries` and `ttlMs` are positive whole numbers and `onEvent` and `now` functions, each
 * member optional.
 * @throws VaultError `INVALID_ARGUMENT` naming the member at fault (`unwrapCache.now`).
 */
export function checkUnwrapCacheOptions(options: unknown, path: string): asserts options is UnwrapCacheOptions {
  if (!isRecordLike(options)) throw invalidArgument(path, 'an object of cache options');
  checkWholeNumber(options.maxEntries, `${path}.maxEntries`, 1);
  checkWholeNumber(options.ttlMs, `${path}.ttlMs`, 1);
  checkFunction(options.onEvent, `${path}.onEvent`, true);
  checkFunction(options.now, `${path}.now`, true);
}

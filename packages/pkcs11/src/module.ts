import { keyUnavailable } from '@credvault/core';
import pkcs11js from 'pkcs11js';

/** The pkcs11js API, re-exported for the other files of this package. */
export const P: typeof pkcs11js = pkcs11js;

/** A loaded, initialized PKCS#11 module, shared by every token opened on it in this process. */
export interface LoadedModule {
  readonly path: string;
  readonly api: pkcs11js.PKCS11;
  /**
   * Slots logged in by this process, with the SHA-256 of the PIN used, never the PIN
   * (PKCS#11 login state is per process).
   */
  readonly logins: Map<string, { pinDigest: Buffer; anchor: Buffer }>;
  users: number;
}

const loaded = new Map<string, LoadedModule>();

/** The `CKR_*` name of a PKCS#11 error, or its message. Never holds key material. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/**
 * Loads and initializes the module at `path` once per process (C_Initialize with OS locking,
 * as operations run on libuv's threads), counting users.
 * @throws VaultError `KEY_UNAVAILABLE` when it cannot be loaded or initialized.
 */
export function acquireModule(path: string): LoadedModule {
  const existing = loaded.get(path);
  if (existing !== undefined) {
    existing.users += 1;
    return existing;
  }
  const api = new P.PKCS11();
  try {
    api.load(path);
  } catch (error) {
    throw keyUnavailable(`pkcs11 module ${path}`, `cannot be loaded (${reasonOf(error)})`, error);
  }
  try {
    api.C_Initialize({ flags: P.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (!reasonOf(error).startsWith('CKR_CRYPTOKI_ALREADY_INITIALIZED')) {
      throw keyUnavailable(`pkcs11 module ${path}`, `C_Initialize failed (${reasonOf(error)})`, error);
    }
  }
  const module: LoadedModule = { path, api, logins: new Map(), users: 1 };
  loaded.set(path, module);
  return module;
}

/** Drops one user; the last one logs out, closes the anchor sessions and finalizes the module. */
export function releaseModule(module: LoadedModule): void {
  module.users -= 1;
  if (module.users > 0) return;
  loaded.delete(module.path);
  for (const { anchor } of module.logins.values()) {
    try {
      module.api.C_Logout(anchor);
    } catch {}
    try {
      module.api.C_CloseSession(anchor);
    } catch {}
  }
  module.logins.clear();
  try {
    module.api.C_Finalize();
  } catch {}
}

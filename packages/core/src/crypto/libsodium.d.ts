/** The raw libsodium.js module (no wrappers) ships no types; aead-wasm.ts declares what it calls. */
declare module 'libsodium' {
  /** Instantiates the WebAssembly module; Emscripten's options (`print`, `printErr`, …) and `getRandomValue`. */
  const instantiate: (options?: Record<string, unknown>) => Promise<unknown>;
  export default instantiate;
}

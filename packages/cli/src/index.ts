export { buildProgram, main } from './program.js';
export { openStore, type StoreSpecOptions } from './store-spec.js';

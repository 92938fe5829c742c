export { type RotateRoute, Tenancy, type TenantOf } from './tenancy.js';
export { isTenantKid, TENANT_RECORD_PREFIX, type TenantCustody, TenantKeyring } from './tenant-keyring.js';
export { isTenantKeyGone } from './tenant-store.js';

import type { AddressInfo } from 'node:net';
import {
  connectionSchema,
  createVault,
  type KeyEncryptionKeys,
  type VaultEvent,
  type VaultStore,
} from '@credvault/core';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';

/** A running service. */
export interface Server {
  readonly url: string;
  readonly provider: ReturnType<typeof createApp>['provider'];
  /** Audit events, as the service logged them. */
  readonly audit: VaultEvent[];
  close(): Promise<void>;
}

/** Starts the service on `port` (0: any free one) over `store`. */
export async function startServer(options: {
  store: VaultStore;
  keyring: KeyEncryptionKeys;
  port?: number;
  log?: boolean;
}): Promise<Server> {
  const vault = createVault({
    store: options.store,
    keyring: options.keyring,
    schema: connectionSchema,
    namespace: 'connections',
    index: ['connectionToken'],
  });
  const audit: VaultEvent[] = [];
  vault.on('*', (event) => {
    audit.push(event);
    if (options.log === true)
      console.log(JSON.stringify({ audit: event.type, id: event.id, kid: event.kid, at: event.time }));
  });
  let url = '';
  const { app, provider } = createApp({ vault, providerUrl: () => `${url}/provider` });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    provider,
    audit,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await vault.close();
    },
  };
}

import { VaultError } from '@credvault/core';
import type { RedisClusterOptions } from '@keyv/redis';

/** Whether `url` names a Redis Cluster: `redis+cluster://` or `rediss+cluster://`. */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/**
 * Reads `redis+cluster://[user:password@]host:port,host:port,...` (`rediss+cluster://` for
 * TLS) into node-redis cluster options: every listed node is a root node (the client learns
 * the rest of the cluster from the first one that answers), credentials and TLS apply to all.
 *
 * @throws VaultError `INVALID_ARGUMENT` when the URL lists no `host:port`, or its user or
 * password holds a malformed `%` escape (path `url.username` or `url.password`).
 */
export function clusterOptionsFromUrl(url: string): RedisClusterOptions {
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)\/?$/.exec(url);
  const hosts = (match?.[3] ?? '').split(',').filter((host) => host !== '');
  if (match === null || hosts.length === 0 || hosts.some((host) => !/^[^:,]+:\d+$|^\[[^\]]+\]:\d+$/.test(host))) {
    throw new VaultError('INVALID_ARGUMENT', 'a cluster URL reads redis+cluster://host:port,host:port', {
      path: 'url',
    });
  }
  const [scheme, credentials] = [match[1] as string, match[2]];
  const defaults: NonNullable<RedisClusterOptions['defaults']> = {};
  if (credentials !== undefined && credentials !== '') {
    const colon = credentials.indexOf(':');
    const user = decoded(colon < 0 ? credentials : credentials.slice(0, colon), 'username');
    if (user !== '') defaults.username = user;
    if (colon >= 0) defaults.password = decoded(credentials.slice(colon + 1), 'password');
  }
  if (scheme === 'rediss') defaults.socket = { tls: true };
  return { rootNodes: hosts.map((host) => ({ url: `${scheme}://${host}` })), defaults };
}

/** A percent-decoded user or password; the message names the part, never its value. */
function decoded(part: string, name: 'username' | 'password'): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new VaultError('INVALID_ARGUMENT', `the ${name} of a cluster URL holds a malformed % escape`, {
      path: `url.${name}`,
    });
  }
}

/** The URL with any credentials masked, for messages. */
export function safeWhere(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** What the example needs from its environment. */
export interface Settings {
  /** `postgres://user:password@host:port/database` */
  readonly databaseUrl: string;
  /** The master keys, `kid:base64url,...`, the primary first. */
  readonly keys: string;
}

const HELP = {
  DATABASE_URL:
    'the PostgreSQL database to use, e.g. DATABASE_URL=postgres://postgres@localhost:5432/credvault_example',
  CREDVAULT_KEYS:
    'the master keys, e.g. CREDVAULT_KEYS="$(npx credvault keygen --kid 2025-01)" (in production, from your secret manager)',
} as const;

/** Reads DATABASE_URL and CREDVAULT_KEYS, or exits saying which one is missing and what it holds. */
export function settingsFromEnv(): Settings {
  const missing = (Object.keys(HELP) as (keyof typeof HELP)[]).filter((name) => !process.env[name]?.trim());
  for (const name of missing) console.error(`${name} is not set: ${HELP[name]}`);
  if (missing.length > 0) process.exit(1);
  return { databaseUrl: String(process.env.DATABASE_URL), keys: String(process.env.CREDVAULT_KEYS) };
}

#!/usr/bin/env bash
# Rotates the master key of a live SQLite vault, following docs/rotation.md.
# Run from the repository root: pnpm --filter rotate-keys start
set -euo pipefail
cd "$(dirname "$0")"
DB="${ROTATE_DB:-$PWD/rotate-demo.db}"
STORE="sqlite:$DB"
rm -f "$DB" "$DB-wal" "$DB-shm"
credvault() { node --conditions=@credvault/source --import tsx ../../packages/cli/src/bin.ts "$@"; }

echo "== before: the service runs on key 2026-01"
OLD="$(credvault keygen --kid 2026-01)"
export CREDVAULT_KEYS="$OLD"
node --conditions=@credvault/source --import tsx seed.ts "$DB" 1000
credvault status --store "$STORE" --namespace connections

echo
echo "== step 1, add: the new key joins every instance's keyring last (decrypt-only)"
NEW="$(credvault keygen --kid 2026-11)"
export CREDVAULT_KEYS="$OLD,$NEW"
credvault status --store "$STORE" --namespace connections

echo
echo "== step 2, promote: the new key moves first; new writes use it"
export CREDVAULT_KEYS="$NEW,$OLD"
node --conditions=@credvault/source --import tsx seed.ts "$DB" 10 1000 # the application keeps writing
credvault status --store "$STORE" --namespace connections

echo
echo "== step 3, rewrap: credvault rotate (safe to run while the service writes; re-run to resume)"
credvault rotate --store "$STORE" --namespace connections --dry-run
credvault rotate --store "$STORE" --namespace connections
credvault status --store "$STORE" --namespace connections

echo
echo "== step 4, retire: the old key counts zero records, so it leaves the keyring"
export CREDVAULT_KEYS="$NEW"
credvault verify --store "$STORE" --namespace connections

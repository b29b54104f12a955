#!/usr/bin/env bash
# Starts the local services the tests talk to, when they are down, and waits until they answer.
set -euo pipefail
if command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432
else
  echo "PostgreSQL client tools not installed: the Postgres tests will start a throwaway cluster or fail loudly"
fi

#!/usr/bin/env bash
set -euo pipefail
# the uploads volume arrives root-owned
chown -R node:node /app/uploads
exec node server.js

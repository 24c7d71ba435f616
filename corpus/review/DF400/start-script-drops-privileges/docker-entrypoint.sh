#!/bin/sh
set -e
if [ "$(id -u)" = '0' ]; then
    exec runuser -u app -- "$0" "$@"
fi
exec "$@"

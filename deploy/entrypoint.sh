#!/bin/sh
# The image's entrypoint: runs `baton ARGS…`. Before `serve`, when BATON_ADMIN_KEY is set, it
# brings the store's schema up to date and stores that key (both are no-ops when already done),
# so that a fresh volume or database comes up with an admin key the operator already holds.
set -eu
if [ "${1:-}" = "serve" ] && [ -n "${BATON_ADMIN_KEY:-}" ]; then
  baton migrate --init
  baton keys create --role admin --name bootstrap --from-env BATON_ADMIN_KEY
fi
exec baton "$@"

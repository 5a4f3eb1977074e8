#!/bin/sh
# Starts this folder's Project API server. Clients (ember, microTVM) run
#   launch_microtvm_api_server.sh <folder>/microtvm_api_server.py --read-fd N --write-fd M [--debug]
# ember's servers are executables, so the .py path is dropped and the
# compiled server next to this script gets the rest.
shift
exec "$(dirname "$0")/microtvm_api_server" "$@"

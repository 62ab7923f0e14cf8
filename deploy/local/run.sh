#!/usr/bin/env bash
# Runs the proxy from source on the local topology: installs MariaDB when missing, starts the
# topology (deploy/local/topology.sh up), then runs src/MySqlProxy with the root proxy.yaml.
# Extra arguments go to the proxy, e.g. deploy/local/run.sh --Listen:Mysql=127.0.0.1:7033
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

command -v dotnet >/dev/null 2>&1 || { echo "run.sh: the .NET SDK (dotnet) is not installed" >&2; exit 1; }
"$here/topology.sh" install
"$here/topology.sh" up

cd "$root"
exec env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    dotnet run --project src/MySqlProxy -c Release -- --config proxy.yaml "$@"

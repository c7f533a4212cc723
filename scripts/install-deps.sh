#!/usr/bin/env bash
# The single list of apmsim's system dependencies (Debian 12 packages). Installs only
# what is missing; uses sudo when not root. Safe to run again.
set -euo pipefail
packages=(
  g++ cmake make pkg-config
  libeigen3-dev libboost-dev nlohmann-json3-dev librandom123-dev pybind11-dev libsqlite3-dev libcli11-dev libcsv-dev libsleef-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev python3-numpy python3-pandas python3-pytest python3-jsonschema
  python3-matplotlib python3-tqdm python3-distributed python3-nbclient python3-ipykernel python3-hypothesis
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Installs the Debian packages wscenter needs to build and test, when missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(build-essential cmake pkg-config clang-format
          libzmq3-dev cppzmq-dev libsodium-dev libwebsockets-dev libssl-dev openssl libmsgpack-cxx-dev nlohmann-json3-dev
          libcurl4-openssl-dev
          libboost-program-options-dev googletest libgtest-dev
          python3 python3-zmq python3-msgpack curl chromium fonts-dejavu-core
          clang libclang-rt-14-dev
          dpkg-dev systemd)  # the package test: dpkg-shlibdeps, systemd-analyze verify

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Checks that every C++ file of the tree is formatted by .clang-format;
# `scripts/format.sh --fix` reformats them in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run -Werror "${files[@]}"
fi

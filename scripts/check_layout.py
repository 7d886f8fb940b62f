#!/usr/bin/env python3
"""Checks the layout rules of the tree and prints the folder dependencies.

- Folders depend on each other only in the allowed direction (ALLOWED), so
  there is no include cycle between folders, and the node and the CLI never
  include the registry's HTTP transport.
- No source file outside tests/ and bench/ is over MAX_LINES lines.

Exit status 1 with one line per violation; `--graph` prints the folder graph.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_LINES = 450
# Each folder and the folders it may include from. The order is a layering:
# a folder only reaches down, never up.
ALLOWED = {
    "common": set(),
    "api": {"common"},
    "bus": {"common"},
    "net": {"common"},
    "httpapi": {"common", "api", "net"},
    "cli": {"common", "api", "bus"},
    "wsnode": {"common", "api", "bus", "net"},
    "registry": {"common", "api", "bus", "net", "httpapi"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def sources(folder):
    for path in sorted((ROOT / folder).rglob("*")):
        if path.suffix in (".cpp", ".hpp") and path.is_file():
            yield path


def main():
    problems = []
    graph = {}
    for folder, allowed in ALLOWED.items():
        deps = set()
        for path in sources(folder):
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            rel = path.relative_to(ROOT)
            if lines > MAX_LINES:
                problems.append(f"{rel}: {lines} lines (over {MAX_LINES})")
            for line in text.splitlines():
                m = INCLUDE.match(line)
                if not m or m.group(1) == folder:
                    continue
                dep = m.group(1)
                deps.add(dep)
                if dep not in allowed:
                    problems.append(f"{rel}: includes {dep}/, which {folder}/ must not use")
        graph[folder] = deps
    if "--graph" in sys.argv:
        for folder, deps in graph.items():
            print(f"{folder}/ -> {', '.join(d + '/' for d in sorted(deps)) or '(nothing)'}")
    for p in problems:
        print("layout:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The event catalogue is a public contract: a change to a published type may only add optional fields.

    python -m shared.events.compatibility      exit 1, naming each breaking change, if there is one

The schemas exported from the code now (``shared.events.export``) are compared with every version of every type's
schema committed to ``docs/events/`` since the catalogue was declared public (the commit that added
``docs/events/PUBLIC``). Compatible: adding an optional property (anywhere), new types, new definitions, and edits
of words (titles, descriptions, examples). Anything else — a property removed or newly required, a type, pattern,
bound or enumeration changed, a type withdrawn — is breaking: publish a new type (``….v2``) beside the old one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared.events.export import SCHEMA_DIR, schema_documents

PUBLIC_MARKER = SCHEMA_DIR / "PUBLIC"
# Words for people: they may change freely.
WORDS = frozenset({"title", "description", "examples"})


def breaking_changes(old: Any, new: Any, where: str = "") -> list[str]:
    """What ``new`` breaks of ``old`` (two JSON Schemas); empty when it only adds optional properties."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _object_changes(old, new, where)
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{where or '(schema)'}: {old!r} became {new!r}"]
        return [
            change
            for n, (a, b) in enumerate(zip(old, new, strict=True))
            for change in breaking_changes(a, b, f"{where}[{n}]")
        ]
    if old != new:
        return [f"{where or '(schema)'}: {old!r} became {new!r}"]
    return []


def _object_changes(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    changes: list[str] = []
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    for name in sorted(old_required - new_required):
        changes.append(f"{where}.{name}: no longer required (consumers rely on it)")
    for name in sorted(new_required - old_required):
        changes.append(f"{where}.{name}: newly required (events published before lack it)")
    for name, schema in old_properties.items():
        if name not in new_properties:
            changes.append(f"{where}.{name}: removed")
        else:
            changes.extend(breaking_changes(schema, new_properties[name], f"{where}.{name}"))
    for name, schema in old.get("$defs", {}).items():
        if name not in new.get("$defs", {}):
            changes.append(f"{where}$defs.{name}: removed")
        else:
            changes.extend(breaking_changes(schema, new["$defs"][name], f"{where}$defs.{name}"))
    for key in (old.keys() | new.keys()) - WORDS - {"required", "properties", "$defs"}:
        if key not in new or key not in old:
            changes.append(f"{where}: {key!r} {'removed' if key not in new else 'added'}")
        else:
            changes.extend(breaking_changes(old[key], new[key], f"{where}/{key}"))
    return changes


ROOT = SCHEMA_DIR.parents[1]


def public_since() -> str | None:
    """The commit that declared the catalogue public, or None while it is not."""
    added = _git("log", "--diff-filter=A", "--format=%H", "--", str(PUBLIC_MARKER.relative_to(ROOT))).split()
    return added[-1] if added else None


def published_names(since: str) -> set[str]:
    """Every schema file published since the catalogue became public: those it held then and those committed
    after, withdrawn ones included."""
    directory = str(SCHEMA_DIR.relative_to(ROOT))
    held = _git("ls-tree", "-r", "--name-only", since, "--", directory)
    listed = _git("log", "--format=", "--name-only", f"{since}..HEAD", "--", directory)
    return {Path(line).name for line in (held + listed).split() if line.endswith(".schema.json")}


def committed_versions(name: str, since: str) -> list[tuple[str, str]]:
    """(commit, text) of every version of ``docs/events/<name>`` published: as the catalogue held it when it
    became public, and as each later commit changed it."""
    path = (SCHEMA_DIR / name).relative_to(ROOT)
    commits = [since, *_git("log", "--format=%H", f"{since}..HEAD", "--", str(path)).split()]
    versions = []
    for commit in commits:
        text = _git("show", f"{commit}:{path}", check=False)
        if text:  # empty where the commit deleted it, or before it was added
            versions.append((commit, text))
    return versions


def _git(*arguments: str, check: bool = True) -> str:
    # git from PATH, with our own fixed arguments: a developer and CI tool, not a request path.
    return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=check).stdout  # noqa: S603, S607


def check() -> list[str]:
    """Every breaking change of the exported schemas against the catalogue as published."""
    since = public_since()
    if since is None:
        return []
    current = schema_documents()
    problems: list[str] = []
    for name in sorted(published_names(since)):
        for commit, text in committed_versions(name, since):
            if name not in current:
                problems.append(f"{name}: withdrawn, but published in {commit[:10]}")
                break
            problems.extend(
                f"{name} (against {commit[:10]}): {change}"
                for change in breaking_changes(json.loads(text), json.loads(current[name]))
            )
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not PUBLIC_MARKER.is_file():
        print("the catalogue is not declared public yet (docs/events/PUBLIC): nothing to compare", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

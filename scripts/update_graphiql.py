"""Fetch the pinned GraphiQL assets into ``pmo_graph/graphiql/static`` and rewrite its manifest.

The pins (one version per npm package) live in ``pmo_graph/graphiql/static/manifest.json``;
this script packs each package with ``npm pack`` (from whatever registry npm is configured for),
copies the files the page serves and their licences, and records every file's sha256::

    python scripts/update_graphiql.py                      # fetch the pinned versions again
    python scripts/update_graphiql.py --set graphiql=3.8.4 # move a pin, then fetch

``@graphiql/plugin-explorer`` ships no licence file: its licence is its repository's (the
graphiql monorepo, whose LICENSE the ``graphiql`` package ships), and its UMD build bundles
``graphiql-explorer``, so that package's LICENSE is copied too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "pmo_graph" / "graphiql" / "static"
MANIFEST = STATIC / "manifest.json"


@dataclass(frozen=True)
class Copy:
    """One file taken from a package: its path in the tarball and its name in ``static``."""

    package: str
    source: str
    name: str


#: What the page needs of each package, in the order the page loads it.
COPIES = (
    Copy("react", "umd/react.production.min.js", "react.production.min.js"),
    Copy("react", "LICENSE", "react.LICENSE.txt"),
    Copy("react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"),
    Copy("react-dom", "LICENSE", "react-dom.LICENSE.txt"),
    Copy("graphiql", "graphiql.min.js", "graphiql.min.js"),
    Copy("graphiql", "graphiql.min.css", "graphiql.min.css"),
    Copy("graphiql", "LICENSE", "graphiql.LICENSE.txt"),
    Copy("@graphiql/plugin-explorer", "dist/index.umd.js", "plugin-explorer.umd.js"),
    Copy("@graphiql/plugin-explorer", "dist/style.css", "plugin-explorer.css"),
    Copy("graphiql", "LICENSE", "plugin-explorer.LICENSE.txt"),
    Copy("graphiql-explorer", "LICENSE", "graphiql-explorer.LICENSE.txt"),
)

#: The pins of a first run, before any manifest exists.
INITIAL_PINS = {
    "react": "18.3.1",
    "react-dom": "18.3.1",
    "graphiql": "3.8.3",
    "@graphiql/plugin-explorer": "3.2.5",
    "graphiql-explorer": "0.9.0",
}


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def current_pins() -> dict[str, str]:
    """The versions the manifest pins now (or the initial pins when there is none)."""
    if not MANIFEST.exists():
        return dict(INITIAL_PINS)
    manifest = json.loads(MANIFEST.read_text())
    return {package["name"]: package["version"] for package in manifest["packages"]}


def pack(package: str, version: str, into: Path) -> tuple[Path, str]:
    """``npm pack`` one package version into ``into``: the tarball and npm's integrity."""
    done = subprocess.run(
        ["npm", "pack", f"{package}@{version}", "--json", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    (packed,) = json.loads(done.stdout)
    if packed["version"] != version:
        raise SystemExit(f"npm packed {package}@{packed['version']}, not {version}")
    return into / packed["filename"], str(packed["integrity"])


def extract(tarball: Path, source: str, target: Path) -> None:
    """Copy one member (``package/<source>``) of an npm tarball to ``target``."""
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/{source}")
        if member is None:
            raise SystemExit(f"{tarball.name} has no regular file {source}")
        target.write_bytes(member.read())


def update(pins: dict[str, str]) -> None:
    """Fetch every pinned package and write its files and the manifest."""
    packages = []
    files = []
    with TemporaryDirectory() as tmp:
        tarballs = {}
        for package, version in pins.items():
            print(f"npm pack {package}@{version}", file=sys.stderr)
            tarballs[package], integrity = pack(package, version, Path(tmp))
            packages.append({"name": package, "version": version, "integrity": integrity})
        for copy in COPIES:
            target = STATIC / copy.name
            extract(tarballs[copy.package], copy.source, target)
            files.append(
                {
                    "name": copy.name,
                    "package": copy.package,
                    "version": pins[copy.package],
                    "source": copy.source,
                    "sha256": sha256(target),
                }
            )
    manifest = {
        "about": "Written by scripts/update_graphiql.py; run it to change a pin, do not edit.",
        "packages": packages,
        "files": files,
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def parse_pin(text: str) -> tuple[str, str]:
    """``name=version`` as a pair (``@scope/name=version`` too)."""
    name, equals, version = text.rpartition("=")
    if not equals or not name or not version:
        raise argparse.ArgumentTypeError(f"expected PACKAGE=VERSION, got {text!r}")
    return name, version


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        type=parse_pin,
        action="append",
        default=[],
        metavar="PACKAGE=VERSION",
        help="move one pin before fetching (repeatable)",
    )
    args = parser.parse_args(argv)
    pins = current_pins()
    for name, version in args.set:
        if name not in pins:
            parser.error(f"{name} is not pinned; pinned are {', '.join(pins)}")
        pins[name] = version
    STATIC.mkdir(parents=True, exist_ok=True)
    update(pins)
    print(f"wrote {MANIFEST.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()

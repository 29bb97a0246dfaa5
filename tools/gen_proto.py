"""Generate botkit/pb/*_pb2.py (and .pyi stubs) from the .proto files beside them.

Usage: python tools/gen_proto.py [--check]

With --check nothing is written: the script exits 1 when the committed generated files differ
from what regeneration would produce (the test suite runs this). The generator is grpcio-tools,
pinned in the dev extra so that regeneration is reproducible.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PB_DIR = ROOT / "botkit" / "pb"


def generate(out_dir: Path) -> list[Path]:
    """Run protoc on every .proto in botkit/pb, writing into out_dir/botkit/pb.

    Returns the generated files, relative to out_dir. Raises SystemExit when protoc fails.
    """
    protos = sorted(p.relative_to(ROOT).as_posix() for p in PB_DIR.glob("*.proto"))
    (out_dir / "botkit" / "pb").mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{ROOT}", f"--python_out={out_dir}", f"--pyi_out={out_dir}", *protos]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return sorted(
        p.relative_to(out_dir) for p in (out_dir / "botkit" / "pb").iterdir() if p.is_file()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generated = generate(out)
        stale = [
            rel
            for rel in generated
            if not (ROOT / rel).is_file() or (ROOT / rel).read_bytes() != (out / rel).read_bytes()
        ]
        if opts.check:
            for rel in stale:
                print(f"out of date: {rel}", file=sys.stderr)
            return 1 if stale else 0
        for rel in stale:
            shutil.copyfile(out / rel, ROOT / rel)
            print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How check and fix time grow with file size: synthetic Dockerfiles of 100, 1,000 and 10,000 instructions.

Cost must grow linearly: 10x the instructions may cost at most about 12x
the CPU time. Each file repeats a block of everyday instructions (apt, pip,
npm, COPY, ENV, WORKDIR, USER ...) in stages of 50 instructions, so every
rule has work everywhere. Times are CPU seconds in this process, best of
``--repeat``.

Usage: ``python bench/scaling.py [--sizes 100,1000,10000] [--repeat 1] [--budget SECONDS]``.
"""

from __future__ import annotations

import argparse
import time

import dfix
from dfix.process import tune_collector

BLOCK = [
    "RUN apt-get update && apt-get install -y curl git{n}",
    "ENV APP_HOME=/srv/app{n}",
    "WORKDIR /srv/app{n}",
    "COPY requirements{n}.txt ./",
    "RUN pip install -r requirements{n}.txt",
    "COPY . .",
    "RUN npm install && npm run build",
    "RUN apk add --update py{n}",
    "RUN yum install -y httpd{n}",
    "EXPOSE {port}",
]


def synthetic(instructions: int) -> str:
    lines: list[str] = []
    count = 0
    while count < instructions:
        if count % 50 == 0:
            lines.append(f"FROM debian:12 AS stage{count // 50}")
        else:
            lines.append(BLOCK[count % len(BLOCK)].format(n=count, port=8000 + count % 1000))
        count += 1
    lines.append('CMD ["python3", "app.py"]')
    return "\n".join(lines) + "\n"


def timed(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    tune_collector()  # as the command line does
    sizes = [int(size) for size in options.sizes.split(",")]
    rows = []
    for size in sizes:
        text = synthetic(size)
        check = timed(lambda: dfix.check(text), options.repeat)
        fixing = timed(lambda: dfix.fix(text, unsafe=True), options.repeat)
        applied = len(dfix.fix(text, unsafe=True).applied)
        if not applied:  # a file BuildKit refuses is not fixed at all: the fix column would time nothing
            raise SystemExit(f"{size} instructions: no fix applied; the synthetic file must be one dfix fixes")
        rows.append((size, check, fixing))
        print(f"{size:>6} instructions: check {check:7.2f} s   fix --unsafe-fixes {fixing:7.2f} s ({applied} fixes)", flush=True)
    for (small, c1, f1), (big, c2, f2) in zip(rows, rows[1:]):
        print(f"{small} -> {big} ({big / small:.0f}x size): check {c2 / c1:.1f}x, fix {f2 / f1:.1f}x")


if __name__ == "__main__":
    main()

"""Draw public/favicon.ico from the shapes of static/img/favicon.svg (run once; the result is
committed). Plain Python, no image library: 16, 32 and 48 px, 32-bit BMP entries with alpha,
which every browser and Windows shortcut reads.

    python scripts/make_favicon.py
"""

from __future__ import annotations

import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "public" / "favicon.ico"
TEAL = (0x0B, 0x55, 0x63)
WHITE = (0xFF, 0xFF, 0xFF)
SUPERSAMPLE = 8  # samples per pixel side, for smooth edges


def inside_rounded_square(x: float, y: float, radius: float = 7.0, size: float = 32.0) -> bool:
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def inside_letter(x: float, y: float) -> bool:
    # The "T" of favicon.svg: M8 9h16v3H17.6v12h-3.2V12H8z
    return (8 <= x <= 24 and 9 <= y <= 12) or (14.4 <= x <= 17.6 and 12 <= y <= 24)


def pixels(size: int) -> list[list[tuple[int, int, int, int]]]:
    """Rows top to bottom of (r, g, b, a), drawn in the svg's 32-unit coordinates."""
    scale = 32 / size
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            covered = white = 0
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    x = (px + (sx + 0.5) / SUPERSAMPLE) * scale
                    y = (py + (sy + 0.5) / SUPERSAMPLE) * scale
                    if inside_rounded_square(x, y):
                        covered += 1
                        white += inside_letter(x, y)
            samples = SUPERSAMPLE**2
            if not covered:
                row.append((0, 0, 0, 0))
                continue
            share = white / covered
            colour = tuple(round(t + (w - t) * share) for t, w in zip(TEAL, WHITE, strict=True))
            row.append((*colour, round(255 * covered / samples)))
        rows.append(row)
    return rows


def bmp_entry(size: int) -> bytes:
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    colour = b"".join(bytes((b, g, r, a)) for row in reversed(pixels(size)) for (r, g, b, a) in row)
    mask_row = ((size + 31) // 32) * 4  # the AND mask is unused (alpha wins) but required
    return header + colour + bytes(mask_row * size)


def icon(sizes: tuple[int, ...] = (16, 32, 48)) -> bytes:
    images = [bmp_entry(size) for size in sizes]
    offset = 6 + 16 * len(sizes)
    directory = struct.pack("<HHH", 0, 1, len(sizes))
    for size, image in zip(sizes, images, strict=True):
        directory += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset
        )
        offset += len(image)
    return directory + b"".join(images)


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(icon())
    print(f"{OUT} ({OUT.stat().st_size} bytes)")

"""Pictures for upload tests, made in memory: good ones and every kind of bad one."""

import io
import struct
import zlib

from PIL import Image


def jpeg_bytes(size=(64, 48), *, gps=False, mode="RGB", fmt="JPEG") -> bytes:
    picture = Image.new(mode, size, "teal" if mode != "CMYK" else (10, 20, 30, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "Test camera"
        exif[0x8825] = {1: "N", 2: (54.0, 59.0, 0.0), 3: "W", 4: (1.0, 26.0, 0.0)}
        picture.save(out, format=fmt, exif=exif)
    else:
        picture.save(out, format=fmt)
    return out.getvalue()


def png_bytes(size=(64, 48), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 128, 128) if mode == "RGBA" else "teal").save(out, format="PNG")
    return out.getvalue()


def animated_gif_bytes() -> bytes:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def bomb_png_bytes(side=20000) -> bytes:
    """A tiny file whose header claims a huge picture: a decompression bomb."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

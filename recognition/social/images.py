"""Pictures sized for a channel: Bluesky takes at most 1,000,000 bytes.

Pictures are already checked, stripped of metadata and re-encoded when they are
uploaded (council/images.py); here a copy that is too big for a channel is saved
again as JPEG at lower quality, then smaller, until it fits. Staff see the copy
before they approve the post.
"""

import io

from PIL import Image

QUALITIES = (85, 75, 65, 55)


def fit_bytes(data: bytes, limit: int) -> bytes:
    """The picture as a JPEG of at most `limit` bytes (the same bytes when they already fit)."""
    if len(data) <= limit:
        return data
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()
        if picture.mode in ("RGBA", "LA", "P"):
            # JPEG has no transparency: lay the picture on white.
            rgba = picture.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            picture = flat
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
        while True:
            for quality in QUALITIES:
                out = io.BytesIO()
                picture.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
                if out.tell() <= limit:
                    return out.getvalue()
            width, height = picture.size
            if width < 64 or height < 64:
                return out.getvalue()
            picture = picture.resize((int(width * 0.8), int(height * 0.8)), Image.LANCZOS)


def size_and_type(data: bytes) -> tuple[tuple[int, int], str]:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size, Image.MIME.get(picture.format, "image/jpeg")

"""The images a text refers to: a reference (a URL) to a file of the pamphlet, each file checked (Pillow for
pictures, sources.svg for drawings), and copies small enough for screens."""

import io
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageFile, ImageOps

from . import svg
from ..errors import BuildError
from .files import piece_ids, too_large
from ..units import MM, TEXT_BLOCK

# What every edition can show, by the format Pillow finds in the file (not by its name's ending).
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "GIF": ("image/gif", "gif"),
           "WEBP": ("image/webp", "webp")}
SVG_TYPE = ("image/svg+xml", "svg")
SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
# The largest image file the build reads, in bytes: a photograph at 300 dpi across the text block is a few MB,
# a detailed map drawn as SVG some 10 MB; beyond these a file costs the build more memory than the page is worth.
LARGEST_PICTURE = 40 * 1024 * 1024
LARGEST_SVG = 24 * 1024 * 1024
# How the PDF editions name a text's image: this, then its path in the texts folder, %-escaped (see for_print).
PRINT_IMAGE = "pamphlet-image:"
# No image needs more pixels than 300 dpi at the largest size the print edition gives it, the text block.
SCREEN_DPI = 300
SCREEN_PIXELS = tuple(round(side / MM / 25.4 * SCREEN_DPI) for side in TEXT_BLOCK)


def locate(folder, src, where):
    """The file an image reference at where (the file and line it is written on) names; BuildError saying why it
    cannot be used.

    A reference is a URL relative to the texts folder: %-escapes are decoded ('my%20photo.png' is the file
    'my photo.png'). A query or a fragment ('ok.png?v=2', 'a.svg#x') names no file: refused, not guessed at,
    because the part after '?' or '#' would be silently dropped from one edition and not from another."""
    def refuse(message):
        return BuildError.single(where[0], message, where[1])

    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        raise refuse(f"image '{src}' is not a file of the pamphlet: images must be files in the texts folder, named "
                     "by a relative path; nothing is downloaded")
    if parts.query or parts.fragment or src.endswith(("?", "#")):
        raise refuse(f"image '{src}' has a query or fragment ('?…' or '#…' after the file name), copied from a web "
                     f"page perhaps; write the file's name alone, '{unquote(parts.path)}'")
    folder = Path(folder).resolve()
    try:
        path = (folder / unquote(parts.path)).resolve()
        found = path.is_file()
    except OSError as err:  # a name longer than the file system takes, a loop of links
        raise refuse(f"image '{src}' cannot be found ({err.strerror}); check the reference") from None
    if not path.is_relative_to(folder):
        raise refuse(f"image '{src}' lies outside the texts folder; copy it into the folder and refer to it from "
                     "there")
    if not found:
        named = f" (the file '{unquote(parts.path)}')" if unquote(parts.path) != src else ""
        raise refuse(f"image '{src}'{named} not found in {folder}")
    if path.suffix.lower() not in SUFFIXES:
        raise refuse(f"image '{src}' is not PNG, JPEG, GIF, SVG or WebP")
    large = too_large(path, LARGEST_SVG if path.suffix.lower() == ".svg" else LARGEST_PICTURE, f"image '{src}'")
    if large:
        raise refuse(large)
    return path


def problem(path):
    """Why the image file cannot go into the editions (damaged, unreadable, unsafe), or None."""
    if path.suffix.lower() == ".svg":
        return svg.problem(path)
    # WeasyPrint, once imported, lets Pillow load truncated files (and print their missing part grey): not here.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.verify()  # the file's structure and checksums
            with Image.open(path) as image:
                image.load()  # every pixel: a truncated file fails here
                kind = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "it has too many pixels to be read safely; make it smaller (a few thousand pixels a side is plenty)"
    except PermissionError as err:
        return f"it cannot be read ({err.strerror}); check the file's permissions"
    except Image.UnidentifiedImageError:
        return "it is not an image Pillow can read (damaged, or not PNG, JPEG, GIF or WebP whatever its name says)"
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        return f"it is damaged ({err}); export it again from the original"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    if kind not in FORMATS:
        return f"it is a {kind} image, which not every edition can show; save it as PNG or JPEG"
    return None


# The picture modes WeasyPrint 70 draws as they are (it turns 1, P and I into RGB itself); others (a scanner's
# 16-bit greyscale, I;16) it refuses, so they are made 8-bit for print.
PRINTABLE_MODES = {"1", "P", "L", "LA", "RGB", "RGBA", "CMYK"}


def for_print(path):
    """(bytes, media type) of the image for the PDF editions: an SVG with its colours in CMYK (svg_for_print), a
    picture in a mode WeasyPrint cannot draw as 8-bit greyscale or RGB, any other picture as it is."""
    if path.suffix.lower() == ".svg":
        return svg.for_print(path), SVG_TYPE[0]
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        if image.mode in PRINTABLE_MODES:
            return data, FORMATS[image.format][0]
        if image.mode.startswith(("I", "F")):  # one channel of 16 bits (a PNG's I;16 or I): to 8, not clipped
            top = 65535 if image.mode.startswith("I") else max(image.getextrema()[1], 1e-9)
            picture = image.convert("F").point(lambda value: value * 255 / top).convert("L")
        else:
            picture = image.convert("RGB")
        out = io.BytesIO()
        picture.save(out, format="PNG")
        return out.getvalue(), "image/png"


def media(path):
    """(media type, file name ending) of the image, by what the file holds."""
    if path.suffix.lower() == ".svg":
        return SVG_TYPE
    with Image.open(path) as image:
        return FORMATS[image.format]


def for_screens(path):
    """The image's bytes for the EPUB: a picture with more pixels than SCREEN_PIXELS (what the print edition's
    text block needs at 300 dpi) is scaled down to fit them, the same bytes from the same file every time;
    others, and SVG and GIF (vector, or perhaps animated), as they are."""
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        return data
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "GIF" or (image.width <= SCREEN_PIXELS[0] and image.height <= SCREEN_PIXELS[1]):
            return data
        kind = image.format
        picture = ImageOps.exif_transpose(image)  # the pixels upright: the copy carries no EXIF to turn them
        picture.thumbnail(SCREEN_PIXELS, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if kind == "JPEG":
            picture.save(out, format="JPEG", quality=85, optimize=True)
        elif kind == "WEBP":
            picture.save(out, format="WEBP", quality=85, method=4)
        else:
            picture.save(out, format="PNG")
        return out.getvalue()


def epub_names(paths, folder):
    """{file: its name in the EPUB}: 'images/' and an id made safe and unique from its path in the texts folder
    (as a piece's is: sources.piece_ids), never from the raw name, ending as what the file holds."""
    ids = piece_ids([path.relative_to(Path(folder).resolve()).as_posix() for path in paths])
    return {path: f"images/{ids[path.relative_to(Path(folder).resolve()).as_posix()]}.{media(path)[1]}"
            for path in paths}

"""Makes the print edition PDF/X-4: its CMYK output profile, a document ID that rebuilds keep, RGB images tagged."""

import hashlib
import uuid
from contextlib import contextmanager
from pathlib import Path

import pydyf

from ..errors import BuildError
from ..shipped import PROFILES
from ..sources.load import MANIFEST

# The printing conditions the builder ships profiles for (layouts/profiles/README.md says how they were made).
SHIPPED = {"FOGRA39": "coated offset paper", "FOGRA29": "uncoated offset paper"}
DEFAULT = "FOGRA39"
SRGB = PROFILES / "sRGB.icc"
CLASSES = {b"mntr": "display", b"scnr": "input", b"prtr": "printer", b"link": "device link", b"spac": "colour space",
           b"abst": "abstract", b"nmcl": "named colour"}


def profile_path(pamphlet):
    """The CMYK output profile the manifest's print_profile names: a shipped one, or the shop's own file
    in the texts folder, checked to be a CMYK printer profile."""
    name = pamphlet.print_profile or DEFAULT
    if name in SHIPPED:
        return PROFILES / f"{name}.icc"
    folder = pamphlet.folder.resolve()
    path = (folder / name).resolve()
    manifest, line = pamphlet.folder / MANIFEST, pamphlet.lines.get("print_profile")
    # Checked before anything is opened: a symbolic link out of the texts folder is never read.
    if not path.is_relative_to(folder):
        raise BuildError.single(manifest, f"print_profile '{name}' lies outside the texts folder (through a symbolic "
                                          "link); copy the profile into the folder", line)
    if not path.is_file():
        raise BuildError.single(manifest, f"print_profile '{name}' is not a file in {pamphlet.folder}; "
                                          f"name one there or use one of {', '.join(SHIPPED)}", line)
    with path.open("rb") as file:
        header = file.read(128)
    if len(header) < 128 or header[36:40] != b"acsp":
        raise BuildError.single(manifest, f"print_profile '{name}' is not an ICC profile; ask the print shop "
                                          "for theirs (.icc) or use one of " + ", ".join(SHIPPED), line)
    if header[16:20] != b"CMYK" or header[12:16] != b"prtr":
        space = header[16:20].decode("latin-1").strip()
        kind = CLASSES.get(header[12:16], header[12:16].decode("latin-1"))
        article = "an" if space[:1] in ("A", "E", "I", "O", "R", "X") else "a"
        raise BuildError.single(manifest, f"print_profile '{name}' is {article} {space} {kind} profile; a print "
                                          "edition needs a CMYK printer profile (ask the print shop for theirs)",
                                line)
    return path


def color_profile_css(path):
    """The stylesheet rule that makes WeasyPrint write PDF/X with this profile as the output intent.

    Without 'components' WeasyPrint 70 fails with a TypeError while writing."""
    return (f"@color-profile device-cmyk {{ src: url({Path(path).resolve().as_uri()}); "
            "components: cyan, magenta, yellow, black; }")


def document_id(identifier, edition):
    """A stable XMP DocumentID: XMP names a document, across its versions, with one ID; WeasyPrint's is random,
    and a random one would make every build's bytes different."""
    return f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, f'{identifier}#{edition}')}"


def pdf_identifier(identifier):
    """The first half of the trailer /ID, the same for every version of the document (PDF 14.4)."""
    return hashlib.md5(identifier.encode()).hexdigest()


def finisher(identifier, edition, srgb=SRGB):
    """A WeasyPrint finisher: the random DocumentID replaced by a stable one, and RGB images tagged as sRGB
    (PDF/X-4 takes RGB only as ICC-based colour; pictures from cameras and the web are sRGB)."""
    did = document_id(identifier, edition).encode()

    def finish(document, pdf):
        metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
        metadata.stream = [_with_document_id(part, did) for part in metadata.stream]
        profile = None
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image" \
                    and obj.extra.get("ColorSpace") == "/DeviceRGB":
                if profile is None:
                    profile = pydyf.Stream([srgb.read_bytes()], {"N": 3, "Alternate": "/DeviceRGB"}, compress=True)
                    pdf.add_object(profile)
                obj.extra["ColorSpace"] = pydyf.Array(("/ICCBased", profile.reference))
    return finish


def _with_document_id(part, did):
    start = part.find(b"xmp.did:") if isinstance(part, bytes) else -1
    if start < 0:
        return part
    end = part.index(b"<", start)
    return part[:start] + did + part[end:]


@contextmanager
def cmyk_as_rgb():
    """While writing a screen edition from the print layout, draw its device-cmyk() colours in sRGB, by the
    naive conversion CSS Color 5 defines for device-cmyk (so the CMYK chosen for print shows as the RGB
    the other editions use: 0 1 0.85 0.3 is #b3001b)."""
    from weasyprint.pdf.stream import Stream
    from tinycss2.color4 import Color

    set_color = Stream.set_color

    def set_rgb(self, color, stroke=False):
        if getattr(color, "space", None) == "device-cmyk":
            c, m, y, k = color.coordinates
            color = Color("srgb", ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)), color.alpha)
        set_color(self, color, stroke)

    Stream.set_color = set_rgb
    try:
        yield
    finally:
        Stream.set_color = set_color

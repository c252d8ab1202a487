"""The large-print edition: the pamphlet laid out again on A4 from its own layout (layouts/large-print.html and
.css: 17 pt, ragged right, no hyphenation, notes at the end of each piece), tagged (PDF/UA-1) as the screen PDF is."""

from ..engine.pdf import notes_tagged_as_notes

SOFT_HYPHEN = "\u00ad"


def make(tools, job):
    """Without the soft hyphens the typesetter put in: large print never breaks a word at a line's end."""
    html = tools.renderer.render("large-print.html").replace(SOFT_HYPHEN, "")
    document = tools.pdf.layout(html, source="large-print.html")
    with notes_tagged_as_notes():
        return tools.pdf.to_bytes(document, job.files[0], pdf_variant="pdf/ua-1")

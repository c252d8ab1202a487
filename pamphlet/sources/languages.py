"""A pamphlet's languages: the source's, its translations' folders and manifests, and each language's names."""

import uuid

from ..errors import BuildError, Problem
from .files import MANIFEST, parse_yaml, read_text
from .schema import TRANSLATED_FIELDS, check_mapping


def of(values):
    """The pamphlet's languages, the source's first, as its manifest's values name them."""
    return [values["language"], *values.get("translations", [])] if "language" in values else []


def slug(values, language):
    """The start of a language's file names: the source's slug, and for a translation the slug and its tag
    (tengiz-ru), so that the source's files keep the names they had before it was translated."""
    return values["slug"] if language == values.get("language") else f"{values['slug']}-{language}"


def identifier(values, language):
    """A translation's identifier, made from the source's: its own, and the same every build."""
    if language == values.get("language"):
        return values["identifier"]
    return "urn:uuid:" + str(uuid.uuid5(uuid.UUID(values["identifier"].removeprefix("urn:uuid:")), language))


def siblings(values, language):
    """(tag, slug, identifier) of each of the pamphlet's other languages: every EPUB names the others."""
    return [(tag, slug(values, tag), identifier(values, tag)) for tag in of(values) if tag != language]


def check(folder, values, lines, problems):
    """Problems with the manifest's translations and bilingual: each a folder, none the source's language, the
    bilingual edition two of the pamphlet's languages."""
    manifest = folder / MANIFEST
    translations = values.get("translations", [])
    for tag in dict.fromkeys(tag for tag in translations if translations.count(tag) > 1):
        problems.append(Problem(manifest, lines["translations"], f"'translations' names '{tag}' twice"))
    if values.get("language") in translations:
        problems.append(Problem(manifest, lines["translations"], f"'translations' names '{values['language']}', "
                                                                 "the source's own language; leave it out"))
    for tag in dict.fromkeys(translations):
        if tag != values.get("language") and not (folder / tag).is_dir():
            problems.append(Problem(manifest, lines["translations"], f"the translation '{tag}' has no folder "
                                                                     f"{folder / tag}; make it, with the pieces "
                                                                     "translated under the same names"))
    bilingual = values.get("bilingual")
    if bilingual is not None and (len(bilingual) != 2 or len(set(bilingual)) != 2
                                  or not set(bilingual) <= set(of(values))):
        tags = list(dict.fromkeys(of(values)))
        such = f"such as [{', '.join(tags[-2:])}]" if len(tags) > 1 else "after naming a translation in 'translations'"
        problems.append(Problem(manifest, lines["bilingual"], f"'bilingual' must name two of the pamphlet's "
                                                              f"languages ({', '.join(tags)}), {such}"))
        del values["bilingual"]


def translation(folder, values, lines, language, problems):
    """The manifest's values for a translation: the source's, with what the translation's own pamphlet.yml (if
    any) says differently, its language, slug and identifier; and {key: that file} for the values it gave."""
    if language not in values.get("translations", []):
        raise BuildError.single(folder / MANIFEST, f"the pamphlet has no translation '{language}': its languages "
                                                   f"are {', '.join(of(values)) or 'not given'}",
                                lines.get("translations"))
    own = folder / language / MANIFEST
    given, origin = {}, {}
    if own.is_file():
        try:
            node = parse_yaml(own, read_text(own), 0)
        except BuildError as err:
            problems.extend(err.problems)
            node = None
        if node is not None:
            own_lines = {}
            given = check_mapping(own, node, 0, TRANSLATED_FIELDS, problems, "the translation's manifest",
                                  own_lines)
            lines.update(own_lines)
            origin = dict.fromkeys(given, own)
    merged = {**values, **given, "language": language, "slug": slug(values, language)}
    if "identifier" in values:
        merged["identifier"] = identifier(values, language)
    return merged, origin

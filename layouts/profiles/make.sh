#!/bin/sh
# Remakes FOGRA39.icc and FOGRA29.icc from the FOGRA characterisation data in Debian's icc-profiles-free,
# with ArgyllCMS's colprof (Debian argyll). See README.md here for what each option does and why.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in FOGRA39 FOGRA29; do
  case $name in
    FOGRA39) paper="coated" ;;
    FOGRA29) paper="uncoated" ;;
  esac
  cp "/usr/share/color/icc/${name}L.ti3" "$work/"
  (cd "$work" && colprof -qm -nc -M "$name" \
    -D "$name ($paper offset, ISO 12647-2), made with ArgyllCMS colprof from ${name}L.ti3" \
    -C "Characterisation data: Fogra, via icc-profiles-free (Kai-Uwe Behrmann); Zlib licence" \
    "${name}L" >/dev/null)
  cp "$work/${name}L.icc" "$here/$name.icc"
  (cd "$work" && profcheck "${name}L.ti3" "${name}L.icc" 2>&1 | tail -1)
done

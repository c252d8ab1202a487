"""The editor's checks of the texts (build.py lint): spelling, names, typography."""

"""Reading a pamphlet folder: its manifest, its pieces' front matter, the files it refers to."""

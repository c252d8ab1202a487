"""WeasyPrint: laying out and writing PDFs; every use of its internals lives in this package."""

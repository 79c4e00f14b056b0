// AS2MIME module. See docs/architecture.md.

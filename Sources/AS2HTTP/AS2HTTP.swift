// AS2HTTP module. See docs/architecture.md.

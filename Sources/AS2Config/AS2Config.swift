// AS2Config module. See docs/architecture.md.

// AS2Protocol module. See docs/architecture.md.

// AS2Agent module. See docs/architecture.md.

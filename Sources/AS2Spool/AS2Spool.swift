// AS2Spool module. See docs/architecture.md.

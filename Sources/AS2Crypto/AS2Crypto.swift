// AS2Crypto module. See docs/architecture.md.

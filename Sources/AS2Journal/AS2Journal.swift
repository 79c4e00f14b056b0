// AS2Journal module. See docs/architecture.md.

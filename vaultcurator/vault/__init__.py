"""Everything that touches the vault's files: scanning, parsing, faithful frontmatter edits."""

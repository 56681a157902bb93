"""Stage 1: read a Fivetran workspace (crawl), and the snapshot file: its model, codec, strict
reader, git and partial reads, and its JSON Schema."""

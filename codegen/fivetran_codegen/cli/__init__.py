"""The `fivetran-codegen` command line: one module per command, one path from errors to exit codes."""

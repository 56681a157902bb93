"""The `fivetran-codegen` command line: `main` (the group), one module per command, the options
they share (`options`) and one path from errors to messages and exit codes (`exit_codes`)."""

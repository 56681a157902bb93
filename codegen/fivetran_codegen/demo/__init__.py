"""`fivetran-codegen demo`: the whole job on the bundled sample workspace, with no account."""

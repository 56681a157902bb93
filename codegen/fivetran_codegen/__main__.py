from fivetran_codegen.cli.commands import main

main()

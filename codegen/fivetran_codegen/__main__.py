from fivetran_codegen.cli.main import main

main()

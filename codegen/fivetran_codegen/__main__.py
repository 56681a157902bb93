from fivetran_codegen.cli import main

main()

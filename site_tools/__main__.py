from site_tools.cli import main

main()

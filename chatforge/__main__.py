from chatforge.cli import main

main()

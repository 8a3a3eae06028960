# cptofs copies into an image, cpfromfs out of it: one binary, argv[0]
# picks the direction.
TOOL_ALIASES_cptofs := cpfromfs

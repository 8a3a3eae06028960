# lklfuse: an image mounted on the host through FUSE 3 (libfuse3-dev).
TOOL_CFLAGS_lklfuse := $(shell pkg-config --cflags fuse3)
TOOL_LIBS_lklfuse := $(shell pkg-config --libs fuse3)

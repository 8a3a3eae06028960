# fs2tar: filesystem image -> tar archive; the same binary run as tar2fs
# fills an image from a tar archive (the name picks the direction).
TOOL_ALIASES_fs2tar := tar2fs
TOOL_LIBS_fs2tar := $(shell pkg-config --libs libarchive)
TOOL_CFLAGS_fs2tar := $(shell pkg-config --cflags libarchive)

# kbox: a Linux kernel as an in-process library, and a sandbox built on it.
#
#   make            build liblkl.a and its headers (kernel cached outside
#                   the checkout, see lkl/scripts/build-kernel.sh)
#   make check      build and run every test (TAP, through prove)
#   make soak       kbox under mixed load for SOAK_SECONDS (default 600)
#   make run        boot the library kernel on the default image and list it
#   make bench      print the benchmark tables
#   make deps       install the Debian packages the build and tests need

# KERNEL_VARIANT=debug: the kernel with lkl/config/debug.config (lockdep,
# debug info), built in its own directory.
KERNEL_VARIANT ?=
BUILD	?= build$(if $(KERNEL_VARIANT),-$(KERNEL_VARIANT))
export KERNEL_VARIANT
CC	?= gcc
V	?= 0
Q	:= $(if $(filter 1,$(V)),,@)

WARN	:= -std=gnu11 -Wall -Wextra -Werror
OPT	?= -O2 -g
SAN	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

KDIR	:= $(BUILD)/kernel
INC	:= -I$(BUILD)/include
LIBS	:= -lpthread

# What liblkl.a exports: the kernel's entry points plus the host library's API.
KERNEL_API := lkl_init lkl_start_kernel lkl_is_running lkl_sys_halt \
	lkl_cleanup lkl_syscall lkl_trigger_irq lkl_get_free_irq lkl_put_irq \
	lkl_task_clone lkl_task_adopt lkl_task_renumber lkl_task_set_exe \
	lkl_task_set_cmdline
HOST_API := lkl_host_ops lkl_dev_blk_ops lkl_disk_add lkl_disk_remove \
	lkl_mount_dev lkl_umount_dev lkl_get_virtio_blkdev lkl_mount_fs \
	lkl_strerror lkl_perror

HOST_SRCS := $(wildcard lkl/host/*.c)
HOST_OBJS := $(patsubst lkl/host/%.c,$(BUILD)/host/%.o,$(HOST_SRCS))
HOST_HDRS := $(wildcard lkl/host/*.h) lkl/include/lkl_host.h

LIBLKL	:= $(BUILD)/liblkl.a
HEADERS	:= $(BUILD)/include/lkl.h

all: kernel
.PHONY: all kernel headers check run bench deps clean FORCE
all: $(LIBLKL) $(HEADERS)

# The script decides, by content hash, whether anything must be rebuilt;
# it only touches its outputs when they change, so what depends on them
# is rebuilt only then.
kernel:
	$(Q)lkl/scripts/build-kernel.sh $(KDIR)
$(KDIR)/lkl.o $(KDIR)/include/lkl/syscalls.h: | kernel

# Public headers: the generated uapi tree plus ours, in one include dir.
$(HEADERS): $(KDIR)/include/lkl/syscalls.h lkl/include/lkl.h lkl/include/lkl_host.h
	$(Q)mkdir -p $(BUILD)/include
	$(Q)rsync -a --delete --exclude lkl.h --exclude lkl_host.h \
		$(KDIR)/include/ $(BUILD)/include/
	$(Q)cp lkl/include/lkl.h lkl/include/lkl_host.h $(BUILD)/include/
headers: $(HEADERS)

$(BUILD)/host/%.o: lkl/host/%.c $(HOST_HDRS) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) $(OPT) -fPIC $(INC) -c -o $@ $<

# One object for the host library, every internal symbol made local.
$(BUILD)/lkl-host.o: $(HOST_OBJS)
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy $(addprefix -G ,$(HOST_API)) $@.tmp $@
	$(Q)rm -f $@.tmp

$(LIBLKL): $(KDIR)/lkl.o $(BUILD)/lkl-host.o
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

include tests/lkl/Makefile.inc
include tools/Makefile.inc
include src/Makefile.inc
include tests/tools/Makefile.inc
include tests/kbox/Makefile.inc
include bench/Makefile.inc

all: tools kbox

# Each tests/*/Makefile.inc adds what must be built (CHECK_BINS) and what
# prove runs (CHECK_RUN).
check: deps
	$(Q)$(MAKE) --no-print-directory check-tests

check-tests: all $(CHECK_BINS)
	prove --exec '' $(CHECK_RUN)
.PHONY: check-tests

deps:
	@sh .ci/install-deps

clean:
	rm -rf $(BUILD)

FORCE:

# Keep intermediate objects (sanitized host objects are only prerequisites).
.SECONDARY:

# The example program of the README.
$(BUILD)/examples/%: examples/%.c $(LIBLKL) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(WARN) $(OPT) $(INC) -o $@ $< $(LIBLKL) $(LIBS)

# A shell in the default image.
run: deps
	$(Q)$(MAKE) --no-print-directory $(KBOX) $(BUILD)/examples/lsimage images
	$(KBOX) -S -- /bin/sh -i

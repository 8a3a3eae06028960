// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-time checks of the generated headers: syscall numbers, constants
 * and struct layouts are the asm-generic 64-bit ABI the kernel uses, and
 * they sit next to the C library's own definitions without a clash.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/fs.h>
#include <sys/epoll.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <lkl/syscalls.h>
#include <lkl/linux/in.h>
#include <lkl/linux/in6.h>
#include <lkl/linux/un.h>
#include <lkl/linux/if.h>
#include <lkl/linux/mount.h>
#include <lkl/linux/sched.h>
#include <lkl/linux/fs.h>
#include <lkl/asm/host_ops.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " == " #b)

/* syscall numbers (asm-generic/unistd.h, 64-bit) */
SAME(__lkl__NR_read, 63);
SAME(__lkl__NR_write, 64);
SAME(__lkl__NR_openat, 56);
SAME(__lkl__NR_close, 57);
SAME(__lkl__NR_newfstatat, 79);
SAME(__lkl__NR_fstat, 80);
SAME(__lkl__NR_lseek, 62);
SAME(__lkl__NR_mmap, 222);
SAME(__lkl__NR_clone3, 435);
SAME(__lkl__NR_virtio_mmio_device_add, 244);
SAME(__LKL__BITS_PER_LONG, 64);

/* constants */
SAME(LKL_O_CREAT, 0100);
SAME(LKL_O_DIRECTORY, 0200000);
SAME(LKL_AT_FDCWD, -100);
SAME(LKL_AT_REMOVEDIR, 0x200);
SAME(LKL_EROFS, 30);
SAME(LKL_ENOENT, 2);
SAME(LKL_EAGAIN, 11);
SAME(LKL_MS_RDONLY, 1);
SAME(LKL_BLKGETSIZE64, 0x80081272u);
SAME(LKL_S_IFDIR, 0040000);

/* struct stat is asm-generic's 128-byte one, not the host's */
SAME(sizeof(struct lkl_stat), 128);
SAME(offsetof(struct lkl_stat, st_mode), 16);
SAME(offsetof(struct lkl_stat, st_size), 48);
SAME(offsetof(struct lkl_stat, st_blocks), 64);
SAME(offsetof(struct lkl_stat, lkl_st_atime), 72);

/* layouts shared with the host ABI */
SAME(sizeof(struct lkl_statx), 256);
SAME(sizeof(struct lkl_statx), sizeof(struct statx));
SAME(sizeof(struct lkl_clone_args), LKL_CLONE_ARGS_SIZE_VER2);
SAME(sizeof(struct lkl_clone_args), 88);
SAME(sizeof(struct lkl_epoll_event), sizeof(struct epoll_event));
SAME(sizeof(struct lkl_pollfd), sizeof(struct pollfd));
SAME(sizeof(struct lkl_iovec), sizeof(struct iovec));
SAME(sizeof(struct __lkl__kernel_timespec), 16);
SAME(sizeof(struct lkl_sockaddr), sizeof(struct sockaddr));
SAME(sizeof(struct lkl_sockaddr_in), sizeof(struct sockaddr_in));
SAME(sizeof(struct lkl_sockaddr_in6), sizeof(struct sockaddr_in6));
SAME(sizeof(struct lkl_sockaddr_un), sizeof(struct sockaddr_un));
SAME(sizeof(struct lkl_user_msghdr), sizeof(struct msghdr));
SAME(sizeof(struct lkl_mmsghdr), sizeof(struct mmsghdr));
SAME(sizeof(struct lkl_cmsghdr), sizeof(struct cmsghdr));
SAME(sizeof(struct lkl_ifreq), 40);
SAME(sizeof(lkl_sigset_t), 8);
SAME(sizeof(struct lkl_sigaction), 24);	/* no sa_restorer in asm-generic */
SAME(offsetof(struct lkl_linux_dirent64, d_name), 19);

/* kernel-internal scalar types */
SAME(sizeof(lkl_size_t), sizeof(size_t));
SAME(sizeof(lkl_loff_t), 8);
SAME(sizeof(lkl_umode_t), 2);
SAME(sizeof(lkl_clockid_t), 4);

/* the host operations table is untouched (already lkl_) */
SAME(sizeof(struct lkl_jmp_buf), 48 * sizeof(unsigned long));

int main(void)
{
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel syscall numbers and constants the host library itself
 * uses, private to it.  These are the asm-generic values (ARCH=lkl uses the
 * asm-generic syscall table and uapi headers), NOT the host's: the host
 * library talks to the library kernel through lkl_syscall(), never to the
 * host kernel.  Prefixed K_ so they never collide with host headers.
 */
#ifndef LKL_HOST_KSYSCALL_H
#define LKL_HOST_KSYSCALL_H

#include <stdint.h>

/* include/uapi/asm-generic/unistd.h */
#define K_NR_mknodat		33
#define K_NR_mkdirat		34
#define K_NR_unlinkat		35
#define K_NR_umount2		39
#define K_NR_mount		40
#define K_NR_openat		56
#define K_NR_close		57
#define K_NR_getdents64		61
#define K_NR_read		63
#define K_NR_write		64
#define K_NR_statx		291
/* __NR_arch_specific_syscall + 0 in the lkl uapi unistd.h */
#define K_NR_virtio_mmio_device_add	244

/* include/uapi/linux/fcntl.h, include/uapi/asm-generic/fcntl.h */
#define K_AT_FDCWD		(-100)
#define K_AT_REMOVEDIR		0x200
#define K_O_RDONLY		00000000
#define K_O_WRONLY		00000001
#define K_O_DIRECTORY		00200000
#define K_O_CLOEXEC		02000000

/* include/uapi/linux/stat.h */
#define K_S_IFDIR		0040000
#define K_S_IFBLK		0060000
#define K_STATX_BASIC_STATS	0x000007ffU

/* include/uapi/asm-generic/errno-base.h, errno.h */
#define K_ENOENT		2
#define K_EBADF			9
#define K_ENOMEM		12
#define K_EBUSY			16
#define K_EEXIST		17
#define K_ENODEV		19
#define K_ENOTDIR		20
#define K_EINVAL		22
#define K_ENAMETOOLONG		36
#define K_ETIMEDOUT		110

/* struct linux_dirent64 (include/linux/dirent.h) */
struct k_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* struct statx (include/uapi/linux/stat.h), 256 bytes; the fields we use. */
struct k_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	uint8_t timestamps[64];
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint8_t rest[112];
};

_Static_assert(sizeof(struct k_statx) == 256, "struct statx is 256 bytes");
_Static_assert(__builtin_offsetof(struct k_statx, stx_dev_major) == 0x88,
	       "struct statx layout");

/* fs.c: write str to the file at path inside the kernel. 0 or -errno. */
int lkl_host_sysfs_write(const char *path, const char *str);

/* lkl_syscall() with up to six arguments. */
#define k_syscall(nr, ...) ({						\
	long __p[6] = { __VA_ARGS__ };					\
	lkl_syscall((nr), __p);						\
})

#endif

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# liblkl.a's symbols: only the public API is global, and the kernel object
# needs nothing from outside, so no kernel name can clash with a program's.
set -u
lib=$KBOX_BUILD/liblkl.a
kobj=$KBOX_KDIR/lkl.o
n=0
fail=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

expected="lkl_cleanup lkl_dev_blk_ops lkl_disk_add lkl_disk_remove
lkl_get_free_irq lkl_get_virtio_blkdev lkl_host_ops lkl_init lkl_is_running
lkl_mount_dev lkl_mount_fs lkl_perror lkl_put_irq lkl_start_kernel
lkl_strerror lkl_sys_halt lkl_syscall lkl_task_adopt lkl_task_clone
lkl_task_renumber lkl_task_set_cmdline lkl_task_set_exe lkl_trigger_irq
lkl_umount_dev"

globals=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort)
want=$(echo $expected | tr ' ' '\n' | sort)
[ "$globals" = "$want" ]; check $? "liblkl.a defines exactly the public API"
if [ "$globals" != "$want" ]; then
	echo "$globals" > /tmp/kbox-syms.$$; echo "$want" | diff - /tmp/kbox-syms.$$ | sed 's/^/#   /'
	rm -f /tmp/kbox-syms.$$
fi

bad=$(echo "$globals" | grep -v '^lkl_')
[ -z "$bad" ]; check $? "every global symbol starts with lkl_"

for sym in memcpy printk kmalloc strlen schedule jiffies; do
	! nm -g --defined-only "$lib" | grep -qw "$sym"; check $? "$sym is not exported"
done

undef=$(nm -u "$kobj" | awk '{print $2}' | grep -v '^_GLOBAL_OFFSET_TABLE_$')
[ -z "$undef" ]; check $? "the kernel object has no undefined symbols"

# The host library needs only libc, libpthread and the kernel's entry points.
hostundef=$(nm -u "$lib" 2>/dev/null | awk 'NF == 2 {print $2}' | sort -u |
	grep -v '^lkl_' | grep -v '^_GLOBAL_OFFSET_TABLE_$')
leak=$(for s in $hostundef; do
	case $s in
	*printk*|kmalloc|kfree|*schedule*|*spin_lock*) echo "$s" ;;
	esac; done)
[ -z "$leak" ]; check $? "the host library calls no kernel-internal symbol"

echo "1..$n"
exit $fail

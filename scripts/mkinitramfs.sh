#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs for KERNEL=plain|debug: busybox, iproute2's ip
# and tipc with their libraries, the project's tools, tipc.ko per server
# variant, the in-tree modules it needs, and the KUnit modules.
set -euo pipefail
. "$(dirname "$0")/env.sh"

root=$BUILD_DIR/initramfs-$KERNEL
out=$BUILD_DIR/initramfs-$KERNEL.cpio.gz
mods=$BUILD_DIR/mod-$KERNEL
tools=$BUILD_DIR/tools-target/x86_64-unknown-linux-gnu/release
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,var,lib/tipc,lib/guest}
ln -s ../run "$root/var/run"

cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	case $a in ip|tipc|busybox) continue ;; esac
	ln -sf busybox "$root/bin/$a"
done

# iproute2, with every shared library it loads.
for b in /sbin/ip /sbin/tipc; do
	cp "$(readlink -f $b)" "$root/sbin/$(basename $b)"
	for lib in $(ldd "$b" | grep -oE '/[^ ]+'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
mkdir -p "$root/etc/iproute2"

for t in tipc-topo topo-spec topo-bench tipc-cfg cfg-spec reliability; do
	install -m755 "$tools/$t" "$root/bin/$t"
done

# In-tree modules tipc.ko needs (UDP media), in load order.
for m in net/ipv4/udp_tunnel.ko net/ipv6/ip6_udp_tunnel.ko; do
	[ -f "$OBJ/$m" ] && install -m644 "$OBJ/$m" "$root/lib/tipc/"
done
for v in $VARIANTS; do
	mkdir -p "$root/lib/tipc/$v"
	install -m644 "$mods/tipc-$v/tipc.ko" "$root/lib/tipc/$v/"
done
mkdir -p "$root/lib/tipc/kunit"
install -m644 "$mods"/kunit/*.ko "$root/lib/tipc/kunit/"

install -m755 "$REPO/scripts/guest/init" "$root/init"
install -m644 "$REPO/scripts/guest/lib.sh" "$root/lib/guest/lib.sh"
install -m644 "$REPO/tests/guest/reliability.sh" "$root/lib/guest/reliability.sh"
echo "$VARIANTS" >"$root/etc/tipc-variants"
echo "$KERNEL" >"$root/etc/tipc-kernel"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
